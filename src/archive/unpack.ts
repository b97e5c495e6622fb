import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { archiveLabel, type ArchiveRef } from './archiveRef';
import { checkBudget, checkLayerCount } from './budget';
import { CreatedPaths } from './createdPaths';
import { BatchRunners, type WorkerChoice } from './batchRunner';
import { extractZip, type RunState } from './extractZip';
import { errnoText } from './fsOps';
import { withBuffersReused } from './heldBuffers';
import type { UnpackedZip, UnpackReport } from './report';
import { TargetTree } from './targetTree';
import { describeUndo } from './undoMessage';
import { UnpackError } from './unpackError';
import { planZip, type ZipPlan } from './zipPlan';
import { openZipSource, type ZipSource } from './zipSource';

export { describeUnpack } from './describe';
export type { UnpackedZip, UnpackReport } from './report';
export { UnpackError, type UnpackErrorKind } from './unpackError';
export { MAX_LAYERS, MAX_UNZIPPED_BYTES } from './limits';

export interface UnpackRequest {
  /** Absolute path of the function zip, extracted into taskRoot. */
  functionZip?: string;
  /** Absolute paths of layer zips (at most 5), extracted into optDir in this order; later files override earlier. */
  layers: string[];
  /** e.g. /var/task */
  taskRoot: string;
  /** e.g. /opt */
  optDir: string;
  /**
   * Where batches of small files are extracted: worker threads for big zips ('auto', the default), or always
   * or never. A tuning knob for benchmarks and tests; the result is the same either way.
   */
  workers?: WorkerChoice;
}

/**
 * Unpacks the function zip into the task root, then each layer into the opt directory in order.
 *
 * All central directories are read and checked first (names, types, the 250 MB quota, overlapping data), so a
 * bad zip is refused before a byte is written. If anything fails while writing, everything this call created is
 * removed again (and anything it replaced is put back) before the UnpackError is thrown; its message says so.
 */
export function unpackAll(request: UnpackRequest): Promise<UnpackReport> {
  return withBuffersReused(() => unpackChecked(request));
}

async function unpackChecked(request: UnpackRequest): Promise<UnpackReport> {
  const started = performance.now();
  const archives = archivesOf(request);
  const sources: ZipSource[] = [];
  try {
    let plans: ZipPlan[];
    try {
      checkLayerCount(request.layers);
      for (const archive of archives) sources.push(await openZipSource(archive));
      checkBudget(sources);
      plans = sources.map(planZip);
    } catch (err) {
      const failure = err instanceof UnpackError ? err : internalError(archives[sources.length] ?? archives[0], err);
      throw failure.withSuffix(' Nothing was written.');
    }
    return await extractAll(plans, started, request.workers ?? 'auto');
  } finally {
    for (const source of sources) source.close();
  }
}

function archivesOf(request: UnpackRequest): ArchiveRef[] {
  const archives: ArchiveRef[] = [];
  if (request.functionZip !== undefined) {
    archives.push({ role: 'function', index: 0, file: path.resolve(request.functionZip), target: path.resolve(request.taskRoot) });
  }
  request.layers.forEach((file, i) => {
    archives.push({ role: 'layer', index: i + 1, file: path.resolve(file), target: path.resolve(request.optDir) });
  });
  return archives;
}

async function extractAll(plans: ZipPlan[], started: number, workers: WorkerChoice): Promise<UnpackReport> {
  const created = new CreatedPaths();
  const umask = process.umask();
  const trees = new Map<string, TargetTree>();
  const runners = new BatchRunners(umask, workers);
  const run: RunState = {
    abort: new AbortController(),
    inflatedBytes: 0,
    batchRunner: (files, bytes) => runners.forZip(files, bytes),
  };
  let current: ArchiveRef | undefined;
  try {
    for (const plan of plans) {
      current = plan.source.archive;
      let tree = trees.get(current.target);
      if (tree === undefined) {
        await prepareTarget(current, created);
        tree = new TargetTree(current.target, created, umask);
        trees.set(current.target, tree);
      }
      await extractZip(plan, tree, run);
    }
    for (const tree of trees.values()) await tree.applyDirectoryModes();
  } catch (err) {
    const first = run.firstFailure ?? err;
    const failure = first instanceof UnpackError ? first : internalError(current ?? plans[0].source.archive, first);
    const undo = await created.undo();
    throw failure.withSuffix(describeUndo(undo));
  } finally {
    await runners.close();
  }
  const warnings = (await created.dropSetAside()).map((p) => `could not delete the replaced original ${p}`);
  return buildReport(plans, trees, started, warnings);
}

/** The target directory must exist (we create it, and its parents, if not) and be a directory. */
async function prepareTarget(archive: ArchiveRef, created: CreatedPaths): Promise<void> {
  const root = archive.target;
  try {
    const first = await fsp.mkdir(root, { recursive: true });
    if (first !== undefined) {
      const made: string[] = [];
      for (let dir = root; dir.length >= first.length; dir = path.dirname(dir)) made.unshift(dir);
      for (const dir of made) created.add(dir, 'directory', archive);
    }
    const stats = await fsp.stat(root);
    if (!stats.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (err) {
    throw new UnpackError('write-failed', archive.file,
      `Cannot unpack ${archiveLabel(archive)}: the target directory ${root} cannot be used (${errnoText(err)}).`);
  }
}

function internalError(archive: ArchiveRef | undefined, err: unknown): UnpackError {
  const label = archive ? archiveLabel(archive) : 'the zips';
  return new UnpackError('internal', archive?.file ?? '', `Cannot unpack ${label}: ${(err as Error).message ?? String(err)}.`);
}

function buildReport(plans: ZipPlan[], trees: Map<string, TargetTree>, started: number, warnings: string[]): UnpackReport {
  const zips: UnpackedZip[] = plans.map((plan) => {
    const archive = plan.source.archive;
    return {
      role: archive.role, index: archive.index, file: archive.file, target: archive.target,
      files: plan.files, directories: plan.directories, symlinks: plan.symlinks, bytes: plan.declaredBytes,
      replaced: trees.get(archive.target)?.replaced.get(archive) ?? 0,
    };
  });
  const sum = (pick: (z: UnpackedZip) => number): number => zips.reduce((total, z) => total + pick(z), 0);
  return {
    totalBytes: sum((z) => z.bytes), files: sum((z) => z.files), directories: sum((z) => z.directories),
    symlinks: sum((z) => z.symlinks), durationMs: performance.now() - started, zips, warnings,
  };
}
