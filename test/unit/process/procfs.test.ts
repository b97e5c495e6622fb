import * as assert from 'node:assert/strict';
import { listProcesses, parseProcStat, peakRssBytes, readProcStat } from '../../../src/process/procfs';

describe('procfs', function () {
  it('parses stat lines whose name holds spaces and parentheses', function () {
    assert.deepEqual(parseProcStat('4242 (we (ird) name) Z 1 4242 4242 0 -1 4194564 0'), {
      pid: 4242, comm: 'we (ird) name', state: 'Z', ppid: 1, pgid: 4242,
    });
    assert.equal(parseProcStat('not a stat line'), undefined);
    assert.equal(parseProcStat('12 (x) S'), undefined);
  });

  it('reads this process and finds it in the process list', function () {
    const self = readProcStat(process.pid);
    assert.equal(self?.pid, process.pid);
    assert.equal(self?.ppid, process.ppid);
    assert.ok(listProcesses().some((p) => p.pid === process.pid));
    assert.ok(peakRssBytes(process.pid) > 1024 * 1024);
    assert.equal(peakRssBytes(2 ** 22 + 1), 0);
  });
});
