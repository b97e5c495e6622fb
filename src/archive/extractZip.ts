import { archiveLabel } from './archiveRef';
import type { BatchEntry, BatchResult } from './batchExtract';
import type { BatchRunner } from './batchRunner';
import { readWholeEntry, streamEntry } from './entryData';
import { parentPath } from './entryName';
import { exceedsUnzippedQuota, MAX_UNZIPPED_BYTES } from './limits';
import { forEachLimited, Semaphore } from './pool';
import type { EntryContext, TargetTree } from './targetTree';
import { entryError, UnpackError } from './unpackError';
import { inDataOrder, type PlannedEntry, type ZipPlan } from './zipPlan';

/** Files up to this size go in batches (read whole, inflated in one call); larger ones are streamed. */
const SMALL_FILE_BYTES = 256 * 1024;
/** A batch: enough entries to make a round trip to a worker cheap, few enough to share the work out evenly. */
const BATCH_ENTRIES = 128;
const BATCH_COMPRESSED_BYTES = 2 << 20;
/** Directories, links and large files in flight on the main thread. */
const MAIN_CONCURRENCY = 16;
/** Large entries streaming at once (each holds a few MiB of buffers). */
const LARGE_ENTRY_CONCURRENCY = 2;

/** State shared by all zips of one unpack. */
export interface RunState {
  readonly abort: AbortController;
  /** Bytes actually inflated so far, across all zips. */
  inflatedBytes: number;
  /** The failure that stopped the run (later ones are consequences, such as aborted streams). */
  firstFailure?: unknown;
  /** The batch runner for this many small files (inline or worker threads), created on first use. */
  batchRunner(files: number, bytes: number): BatchRunner;
}

/**
 * Extracts every entry of a checked zip into its target tree: first the directories, then, side by side, small
 * files in batches (worker threads for big zips) and links and large files on the main thread.
 */
export async function extractZip(plan: ZipPlan, tree: TargetTree, run: RunState): Promise<void> {
  const small: PlannedEntry[] = [];
  const directories: PlannedEntry[] = [];
  const others: PlannedEntry[] = [];
  for (const planned of plan.entries) {
    if (planned.kind === 'directory') directories.push(planned);
    else if (isSmallFile(planned)) small.push(planned);
    else others.push(planned);
  }
  const abort = failRun(run);
  // Chosen (and worker threads started) now, so that they boot while the directories are made.
  const runner = small.length === 0 ? undefined : run.batchRunner(small.length, small.reduce((sum, p) => sum + p.size, 0));

  const folders = new Map<string, EntryContext>();
  for (const planned of directories) folders.set(planned.path, context(plan, planned));
  for (const planned of small) {
    const parent = parentPath(planned.path);
    if (!folders.has(parent)) folders.set(parent, context(plan, planned));
  }
  tree.ensureDirectoriesNow(folders);
  await forEachLimited(directories, MAIN_CONCURRENCY,
    (planned) => tree.directoryEntry(planned.path, planned.mode, context(plan, planned)), abort);

  const large = new Semaphore(LARGE_ENTRY_CONCURRENCY);
  const outcomes = await Promise.allSettled([
    forEachLimited(others, MAIN_CONCURRENCY, (planned) => extractOnMain(plan, planned, tree, run, large), abort),
    runner && extractSmallFiles(plan, small, runner, tree, run),
  ]);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw run.firstFailure ?? failed.reason;
}

function failRun(run: RunState): (err: unknown) => void {
  return (err) => {
    if (run.firstFailure === undefined) run.firstFailure = err;
    run.abort.abort();
  };
}

function isSmallFile(planned: PlannedEntry): boolean {
  return planned.kind === 'file' && planned.size <= SMALL_FILE_BYTES && planned.entry.compressedSize <= SMALL_FILE_BYTES;
}

function context(plan: ZipPlan, planned: PlannedEntry): EntryContext {
  return { archive: plan.source.archive, name: planned.name };
}

/** Links, large files, and small files whose name was already taken (replacing needs the main thread's rules). */
async function extractOnMain(plan: ZipPlan, planned: PlannedEntry, tree: TargetTree, run: RunState, large: Semaphore): Promise<void> {
  const { source } = plan;
  const ctx = context(plan, planned);
  if (run.abort.signal.aborted) return;
  if (planned.kind === 'symlink') {
    const data = await readWholeEntry(source, planned);
    countInflated(run, plan, planned, data.length);
    const target = data.toString('utf8');
    if (target.includes('\0')) {
      throw entryError(source.archive, 'unsupported', planned.name, 'is a symbolic link whose target contains a NUL character');
    }
    return tree.symlinkEntry(planned.path, target, ctx);
  }
  if (isSmallFile(planned)) {
    const data = await readWholeEntry(source, planned);
    countInflated(run, plan, planned, data.length);
    return tree.fileEntry(planned.path, planned.mode, data, ctx);
  }
  await large.acquire();
  try {
    if (run.abort.signal.aborted) return;
    const fd = await tree.createFile(planned.path, planned.mode, ctx);
    await tree.finishFile(fd, planned.path, planned.mode, ctx, () => streamEntry(source, planned, fd, run.abort.signal));
    countInflated(run, plan, planned, planned.size);
  } finally {
    large.release();
  }
}

async function extractSmallFiles(plan: ZipPlan, small: PlannedEntry[], runner: BatchRunner, tree: TargetTree, run: RunState): Promise<void> {
  const { source } = plan;
  const sorted = inDataOrder(small);
  const ranges = batchRanges(sorted);
  const collisions: PlannedEntry[] = [];
  const abort = failRun(run);

  await forEachLimited(ranges, runner.parallelism, async ([from, to]) => {
    if (run.abort.signal.aborted) return;
    // Built when sent, not all up front: only the batches in flight hold their paths.
    const batch = toBatch(sorted, from, to, tree);
    let result: BatchResult;
    try {
      result = await runner.run(source.reader.fd, source.reader.size, batch);
    } catch (err) {
      throw new UnpackError('internal', source.archive.file, `Cannot unpack ${archiveLabel(source.archive)}: ` +
        `${(err as Error).message}; files of up to ${batch.length} entries it was writing may remain in ${tree.root}.`);
    }
    // Record every file first: counting may throw, and an unrecorded file would survive the cleanup.
    for (const index of result.created) tree.recordFile(batch[index - from].absolute, source.archive);
    for (const index of result.created) {
      if (index !== result.failure?.index) countInflated(run, plan, sorted[index], sorted[index].size);
    }
    for (const index of result.collisions) collisions.push(sorted[index]);
    if (result.failure) {
      const { index, kind, problem, writeError } = result.failure;
      const planned = sorted[index];
      if (writeError) throw tree.writeFailedError(context(plan, planned), planned.path, problem);
      throw entryError(source.archive, kind, planned.name, problem);
    }
  }, abort);

  const large = new Semaphore(LARGE_ENTRY_CONCURRENCY);
  await forEachLimited(collisions, MAIN_CONCURRENCY, (planned) => extractOnMain(plan, planned, tree, run, large), abort);
}

/** [from, to) index ranges of `sorted`: at most BATCH_ENTRIES entries and BATCH_COMPRESSED_BYTES each. */
function batchRanges(sorted: PlannedEntry[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let from = 0;
  let bytes = 0;
  sorted.forEach((planned, index) => {
    if (index - from === BATCH_ENTRIES || (index > from && bytes + planned.entry.compressedSize > BATCH_COMPRESSED_BYTES)) {
      ranges.push([from, index]);
      from = index;
      bytes = 0;
    }
    bytes += planned.entry.compressedSize;
  });
  if (from < sorted.length) ranges.push([from, sorted.length]);
  return ranges;
}

/** The batch for sorted[from, to); entry i of it has index from + i. */
function toBatch(sorted: PlannedEntry[], from: number, to: number, tree: TargetTree): BatchEntry[] {
  const batch: BatchEntry[] = [];
  for (let index = from; index < to; index++) {
    const planned = sorted[index];
    const { entry } = planned;
    batch.push({
      index, absolute: tree.absolute(planned.path), mode: planned.mode, offset: entry.relativeOffsetOfLocalHeader,
      compressedSize: entry.compressedSize, size: planned.size, crc32: entry.crc32, method: entry.compressionMethod,
      dataLimit: planned.dataLimit,
    });
  }
  return batch;
}

/** The budget, again, on real bytes (each entry is already held to its declared size while it inflates). */
function countInflated(run: RunState, plan: ZipPlan, planned: PlannedEntry, bytes: number): void {
  run.inflatedBytes += bytes;
  if (exceedsUnzippedQuota(run.inflatedBytes)) {
    throw new UnpackError('too-large', plan.source.archive.file, `Cannot unpack ${archiveLabel(plan.source.archive)}: ` +
      `at entry "${planned.name}" the bytes actually inflated reach ${run.inflatedBytes}, more than the ` +
      `${MAX_UNZIPPED_BYTES}-byte limit (the zips' headers understate their sizes).`, planned.name);
  }
}
