import { execFile, execFileSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { unpackAll } from '../src/archive/unpack';
import type { Benchmark, BenchResult } from './lib/benchmark';
import { benchZips, type BenchZip } from './lib/benchZips';
import { row, type Row } from './lib/row';
import { summarize } from './lib/stats';

const run = promisify(execFile);
const MB = 1e6;

interface Place {
  label: string;
  /** Parent of the target directories. */
  dir: string;
  /** Runs per tool per zip (creating 10,000 files on a slow disk takes seconds, so fewer there). */
  runs: number;
}

/** The disk os.tmpdir() is on, and tmpfs when /dev/shm is one: there only the CPU side of unpacking counts. */
function places(): Place[] {
  const found: Place[] = [{ label: 'disk', dir: os.tmpdir(), runs: 3 }];
  let mounts = '';
  try {
    mounts = readFileSync('/proc/mounts', 'latin1');
  } catch {
    // not Linux: the disk only
  }
  if (/^\S+ \/dev\/shm tmpfs /m.test(mounts)) found.push({ label: 'tmpfs', dir: '/dev/shm', runs: 5 });
  return found;
}

/**
 * Unpack: our unpackAll against Info-ZIP `unzip -q -o` on the same zip, into fresh directories in the same place,
 * alternating which goes first. Dirty pages are synced before each run (untimed) so one tool's writeback does not
 * slow the next. No warm-up: the init unpacks once, at a cold start.
 */
export const unpackBenchmark: Benchmark = {
  name: 'unpack',
  async run(progress): Promise<BenchResult> {
    const unzipVersion = infoZipVersion();
    if (unzipVersion === undefined) return { rows: [], notes: ['unpack: skipped, Info-ZIP unzip is not installed'] };
    const zips = await benchZips(progress);
    const rows: Row[] = [];
    const notes = [`unpack: reference ${unzipVersion}; runs alternate which tool goes first; MB = 10^6 bytes unpacked / wall time`];
    for (const zip of zips) {
      notes.push(`unpack: ${zip.label}: ${zip.entries} files, ${(zip.bytes / MB).toFixed(0)} MB unpacked from a ${(zip.compressedBytes / MB).toFixed(0)} MB zip`);
    }
    for (const place of places()) {
      const work = await fs.mkdtemp(path.join(place.dir, 'lambda-sandbox-bench-unpack-'));
      try {
        for (const zip of zips) {
          progress(`unpack: ${zip.label} on ${place.label} (${work}) x${place.runs}`);
          rows.push(await compare(zip, place, work));
        }
      } finally {
        await fs.rm(work, { recursive: true, force: true });
      }
    }
    return { rows, notes };
  },
};

async function compare(zip: BenchZip, place: Place, work: string): Promise<Row> {
  const ours: number[] = [];
  const theirs: number[] = [];
  const unpackOurs = (target: string): Promise<unknown> =>
    unpackAll({ functionZip: zip.file, layers: [], taskRoot: target, optDir: path.join(work, 'opt') });
  const unpackTheirs = (target: string): Promise<unknown> => run('unzip', ['-q', '-o', zip.file, '-d', target]);
  for (let i = 0; i < place.runs; i++) {
    const order = i % 2 === 0 ? [true, false] : [false, true];
    for (const isOurs of order) {
      const ms = await timed(work, `${isOurs ? 'ours' : 'unzip'}-${i}`, isOurs ? unpackOurs : unpackTheirs);
      (isOurs ? ours : theirs).push(zip.bytes / MB / (ms / 1000));
    }
  }
  const summary = summarize(ours, true);
  const reference = summarize(theirs, true);
  return {
    ...row({
      benchmark: 'unpack',
      case: `${zip.label}, ${place.label}`,
      metric: 'speed',
      unit: 'MB/s',
      higherIsBetter: true,
      ours: summary,
      reference: { label: 'unzip -q -o', summary: reference },
      note: 'unpacked bytes / wall time; p99 column = 1st percentile (slowest run)',
    }),
    target: { text: 'ratio>=1.0', met: summary.p50 >= reference.p50 },
  };
}

/** Milliseconds to unpack into a fresh <work>/<name>, which is then removed (untimed). */
async function timed(work: string, name: string, unpack: (target: string) => Promise<unknown>): Promise<number> {
  const target = path.join(work, name);
  execFileSync('sync');
  const started = performance.now();
  await unpack(target);
  const ms = performance.now() - started;
  await fs.rm(target, { recursive: true, force: true });
  return ms;
}

function infoZipVersion(): string | undefined {
  try {
    const first = execFileSync('unzip', ['-v'], { encoding: 'utf8' }).split('\n')[0];
    return /UnZip [\d.]+/.exec(first)?.[0] ?? 'unzip';
  } catch {
    return undefined;
  }
}
