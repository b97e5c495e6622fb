import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from './lineSplitter';

export interface ProcessSpec {
  /** Shown in diagnostics, e.g. "runtime" or an extension's name. */
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
}

export interface SpawnOptions {
  /**
   * Give the child a start gate: a pipe on fd 3 (START_GATE_FD) that stays silent until `openStartGate()` writes one
   * byte. A child that honours it waits there; one that ends up at end of file without that byte was not wanted.
   */
  startGate?: boolean;
}

/** The child's end of the start gate. */
export const START_GATE_FD = 3;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES, ...). */
  spawnError?: NodeJS.ErrnoException;
}

/** How Lambda words a process end, e.g. "exit status 1" or "signal: killed" (Go's os.ProcessState wording). */
export function describeExit(exit: ExitInfo): string {
  if (exit.spawnError) return exit.spawnError.message;
  if (exit.signal) return `signal: ${SIGNAL_WORDS[exit.signal] ?? exit.signal.toLowerCase()}`;
  return `exit status ${exit.code ?? 0}`;
}

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed', SIGTERM: 'terminated', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted',
  SIGINT: 'interrupt', SIGBUS: 'bus error', SIGILL: 'illegal instruction', SIGFPE: 'floating point exception',
};

/**
 * A child in its own process group (so the whole tree can be signalled or frozen at once), with stdout and stderr
 * forwarded line by line.
 */
export class ManagedProcess {
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private exitInfo: ExitInfo | undefined;
  private gate: Writable | undefined;

  constructor(spec: ProcessSpec, onLine: (line: string) => void, options: SpawnOptions = {}) {
    this.child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: options.startGate ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
      ...(spec.uid !== undefined ? { uid: spec.uid, gid: spec.gid } : {}),
    });
    if (options.startGate) {
      this.gate = this.child.stdio[START_GATE_FD] as Writable;
      this.gate.on('error', () => undefined); // EPIPE: the child is gone, its exit says so
    }
    let open = 2;
    let resolveStreamsDone!: () => void;
    const streamsDone = new Promise<void>((resolve) => (resolveStreamsDone = resolve));
    for (const stream of [this.child.stdout, this.child.stderr]) {
      const splitter = new LineSplitter(onLine);
      const decoder = new StringDecoder('utf8');
      stream?.on('data', (chunk: Buffer) => splitter.push(decoder.write(chunk)));
      stream?.on('close', () => {
        splitter.push(decoder.end());
        splitter.end();
        if (--open === 0) resolveStreamsDone();
      });
    }
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        if (this.child.pid === undefined) {
          this.exitInfo = { code: null, signal: null, spawnError: error };
          resolve(this.exitInfo);
        }
      });
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.gate?.destroy(); // never opened: our end of the pipe must not outlive the child
        this.gate = undefined;
        // Grandchildren may keep the pipes open; don't let them delay the exit report.
        const grace = setTimeout(resolveStreamsDone, 50);
        void streamsDone.then(() => {
          clearTimeout(grace);
          resolve({ code, signal });
        });
      });
    });
  }

  /** Lets a child waiting at its start gate go on (once; a no-op without a gate). */
  openStartGate(): void {
    this.gate?.end(Buffer.of(1));
    this.gate = undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.child.pid !== undefined;
  }

  /** Signals the whole process group; a group that is already gone is not an error. */
  signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** Kills the group and waits for the leader's exit. Frozen (SIGSTOPped) members die too: SIGKILL needs no CONT. */
  async kill(): Promise<ExitInfo> {
    this.signalGroup('SIGKILL');
    return this.exited;
  }
}
