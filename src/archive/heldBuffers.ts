import { loadSandboxNative } from '../process/native/addon';

/*
 * Inflating a large entry allocates a fresh 512 KiB output buffer per chunk. glibc serves each with its own mmap and
 * gives it back with munmap once V8 collects it, so every page of every buffer faults in anew: 200 MiB of output is
 * about 50,000 page faults, expensive in a virtual machine. While zips are unpacked, glibc is told to serve such
 * buffers from its heap and keep freed memory for reuse; afterwards the heap is trimmed back. (bench/README.md,
 * finding 23.)
 */
const UNPACK_MMAP_THRESHOLD = 32 << 20;
const UNPACK_TRIM_THRESHOLD = 256 << 20;
/** After the unpack: where glibc's own adaptive thresholds settle once it has seen buffers of about 1 MiB. */
const LATER_MMAP_THRESHOLD = 1 << 20;
const LATER_TRIM_THRESHOLD = 2 << 20;

/** Runs `work` with freed buffers kept for reuse; without the addon's allocator calls (or glibc), just runs it. */
export async function withBuffersReused<T>(work: () => Promise<T>): Promise<T> {
  const loaded = loadSandboxNative();
  const addon = loaded.ok ? loaded.addon : undefined;
  const tuned = addon?.setMallocThresholds?.(UNPACK_MMAP_THRESHOLD, UNPACK_TRIM_THRESHOLD) === true;
  try {
    return await work();
  } finally {
    if (tuned) {
      addon?.setMallocThresholds?.(LATER_MMAP_THRESHOLD, LATER_TRIM_THRESHOLD);
      addon?.trimMalloc?.();
    }
  }
}
