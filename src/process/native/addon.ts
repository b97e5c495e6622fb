import * as fs from 'node:fs';
import * as path from 'node:path';

/** The compiled addon sits next to this file's compiled JavaScript (see build.ts). */
export const ADDON_FILE = path.join(__dirname, 'sandbox_native.node');

export interface WaitResult {
  /** Exit status when the child exited normally, else null. */
  exitCode: number | null;
  /** Signal number when a signal ended it, else null. */
  signal: number | null;
}

/** The native calls Node has no API for (sandbox_native.c). Failures throw an Error with an `errno` number. */
export interface SandboxNative {
  /** Reaps `pid` if it is an exited child of ours; null while it is still running. */
  waitpidNoHang(pid: number): WaitResult | null;
  setChildSubreaper(on: boolean): void;
  isChildSubreaper(): boolean;
  /**
   * glibc's mallopt(M_MMAP_THRESHOLD) and mallopt(M_TRIM_THRESHOLD), in bytes; false where malloc is not glibc's.
   * Absent from an addon built before it was added: such an addon still reaps orphans.
   */
  setMallocThresholds?(mmapThreshold: number, trimThreshold: number): boolean;
  /** malloc_trim(0); true when memory was given back. Absent like setMallocThresholds. */
  trimMalloc?(): boolean;
}

export type AddonLoad = { ok: true; addon: SandboxNative } | { ok: false; reason: string };

const cache = new Map<string, AddonLoad>();

/** Loads the addon once per file; never throws — a missing or broken build is a reason the caller can log. */
export function loadSandboxNative(file: string = ADDON_FILE): AddonLoad {
  let result = cache.get(file);
  if (!result) {
    result = load(file);
    cache.set(file, result);
  }
  return result;
}

function load(file: string): AddonLoad {
  if (process.platform !== 'linux') return { ok: false, reason: `the native addon is Linux-only (this is ${process.platform})` };
  if (!fs.existsSync(file)) return { ok: false, reason: `${file} is not built (run the native build step)` };
  let loaded: unknown;
  try {
    // A .node file can only be loaded through require; its shape is checked below.
    loaded = require(file) as unknown;
  } catch (error) {
    return { ok: false, reason: `${file} does not load: ${error instanceof Error ? error.message : String(error)}` };
  }
  const candidate = loaded as Partial<Record<keyof SandboxNative, unknown>> | null;
  if (
    typeof candidate?.waitpidNoHang !== 'function' ||
    typeof candidate.setChildSubreaper !== 'function' ||
    typeof candidate.isChildSubreaper !== 'function'
  ) {
    return { ok: false, reason: `${file} is not the sandbox addon (functions missing)` };
  }
  return { ok: true, addon: loaded as SandboxNative };
}
