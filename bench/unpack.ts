import { execFile, execFileSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Benchmark, BenchResult } from './lib/benchmark';
import { benchZips, type BenchZip } from './lib/benchZips';
import { INIT_FLAGS } from './lib/initProcess';
import { NODE_BIN } from './lib/nodeBinary';
import { OPTIONS } from './lib/options';
import { row, type Row } from './lib/row';
import { summarize } from './lib/stats';

const run = promisify(execFile);
const MB = 1e6;
/** Issue 13: at least 1.5x Info-ZIP unzip's speed. */
const MIN_RATIO = 1.5;
const UNPACK_CHILD = path.join(__dirname, 'lib', 'unpackChild.js');
/** GNU time reports a command's peak RSS (%M, KB); without it unzip's peak RSS is not measured. */
const GNU_TIME = '/usr/bin/time';

interface Place {
  label: string;
  /** Parent of the target directories. */
  dir: string;
  /** Runs per tool per zip (creating 100,000 files on a slow disk takes many seconds, so few). */
  runs: number;
}

/** The disk os.tmpdir() is on, and tmpfs when /dev/shm is one: there only the CPU side of unpacking counts. */
function places(): Place[] {
  const found: Place[] = OPTIONS.quick ? [] : [{ label: 'disk', dir: os.tmpdir(), runs: 2 }];
  let mounts = '';
  try {
    mounts = readFileSync('/proc/mounts', 'latin1');
  } catch {
    // not Linux: the disk only
  }
  if (/^\S+ \/dev\/shm tmpfs /m.test(mounts)) found.push({ label: 'tmpfs', dir: '/dev/shm', runs: OPTIONS.quick ? 1 : 3 });
  if (found.length === 0) found.push({ label: 'disk', dir: os.tmpdir(), runs: 1 });
  return found;
}

/**
 * Unpack: our unpackAll (in a fresh Node process each run, timed inside it) against Info-ZIP `unzip -q -o` on the
 * same zip, into fresh directories in the same place, alternating which goes first. Dirty pages are synced before
 * each run (untimed) so one tool's writeback does not slow the next. No warm-up: the init unpacks once, at a cold
 * start. Peak RSS of both processes too.
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
          rows.push(...(await compare(zip, place, work)));
        }
      } finally {
        await fs.rm(work, { recursive: true, force: true });
      }
    }
    return { rows, notes };
  },
};

/** One run of a tool: wall time in ms and the peak RSS of its process in MB (undefined when not measurable). */
interface Run {
  ms: number;
  peakMb?: number;
}

/**
 * unpackAll in a fresh Node process with the init's Node flags: the time of the unpack itself (not Node's start)
 * and the process's peak RSS.
 */
async function runOurs(zip: BenchZip, target: string): Promise<Run> {
  const { stdout } = await run(NODE_BIN, [...INIT_FLAGS, UNPACK_CHILD, zip.file, target], { maxBuffer: 1 << 20 });
  const result = JSON.parse(stdout) as { ms: number; maxRssKb: number };
  return { ms: result.ms, peakMb: result.maxRssKb / 1024 };
}

/** Info-ZIP unzip, spawn to exit; its peak RSS through GNU time when installed. */
async function runUnzip(zip: BenchZip, target: string): Promise<Run> {
  const args = ['-q', '-o', zip.file, '-d', target];
  const started = performance.now();
  if (!existsSync(GNU_TIME)) {
    await run('unzip', args);
    return { ms: performance.now() - started };
  }
  const { stderr } = await run(GNU_TIME, ['-f', '%M', 'unzip', ...args]);
  const ms = performance.now() - started;
  return { ms, peakMb: Number(stderr.trim().split('\n').pop()) / 1024 };
}

async function compare(zip: BenchZip, place: Place, work: string): Promise<Row[]> {
  const ours: Run[] = [];
  const theirs: Run[] = [];
  for (let i = 0; i < place.runs; i++) {
    const order = i % 2 === 0 ? [true, false] : [false, true];
    for (const isOurs of order) {
      const target = path.join(work, `${isOurs ? 'ours' : 'unzip'}-${i}`);
      execFileSync('sync');
      (isOurs ? ours : theirs).push(await (isOurs ? runOurs : runUnzip)(zip, target));
      await fs.rm(target, { recursive: true, force: true });
      await fs.rm(`${target}-opt`, { recursive: true, force: true });
    }
  }
  const speed = (r: Run): number => zip.bytes / MB / (r.ms / 1000);
  const summary = summarize(ours.map(speed), true);
  const reference = summarize(theirs.map(speed), true);
  const label = `${zip.label}, ${place.label}`;
  const rows: Row[] = [{
    ...row({
      benchmark: 'unpack', case: label, metric: 'speed', unit: 'MB/s', higherIsBetter: true,
      ours: summary, reference: { label: 'unzip -q -o', summary: reference },
      note: 'unpacked bytes / wall time; p99 column = 1st percentile (slowest run)',
    }),
    target: { text: `ratio>=${MIN_RATIO}`, met: summary.p50 >= MIN_RATIO * reference.p50 },
  }];
  const ourPeaks = ours.flatMap((r) => (r.peakMb === undefined ? [] : [r.peakMb]));
  const theirPeaks = theirs.flatMap((r) => (r.peakMb === undefined ? [] : [r.peakMb]));
  if (ourPeaks.length > 0 && theirPeaks.length > 0) {
    rows.push(row({
      benchmark: 'unpack', case: label, metric: 'peak RSS', unit: 'MB', higherIsBetter: false,
      ours: summarize(ourPeaks), reference: { label: 'unzip peak RSS', summary: summarize(theirPeaks) },
      note: 'ours: the whole Node process that unpacks (Node itself is about 45 MB of it); unzip: through GNU time',
    }));
  }
  return rows;
}

function infoZipVersion(): string | undefined {
  try {
    const first = execFileSync('unzip', ['-v'], { encoding: 'utf8' }).split('\n')[0];
    return /UnZip [\d.]+/.exec(first)?.[0] ?? 'unzip';
  } catch {
    return undefined;
  }
}
