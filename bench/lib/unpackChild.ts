import { unpackAll } from '../../src/archive/unpack';

/**
 * `node unpackChild.js <zip> <target>`: one unpackAll in a fresh process, as the init does at a cold start, so
 * its peak RSS is the unpack's own. Prints `{"ms": <unpack time>, "maxRssKb": <peak RSS of the process>}`.
 */
async function main(): Promise<void> {
  const [zip, target] = process.argv.slice(2);
  const started = performance.now();
  await unpackAll({ functionZip: zip, layers: [], taskRoot: target, optDir: `${target}-opt` });
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
