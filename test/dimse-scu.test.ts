import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { freePort, missingTools, run, waitForPort } from './support/interop.js';
import { writeCtSeries } from './support/synthetic-ct.js';
import { tempDir } from './support/test-hub.js';

const skip = missingTools('storescp', 'dcmdump');

describe('C-STORE SCU to DCMTK storescp', { skip }, () => {
  const outDir = tempDir();
  const series = writeCtSeries({ dir: tempDir(), count: 3, seed: 'scu' });
  let port = 0;
  let stop: () => void = () => {};

  before(async () => {
    port = await freePort();
    const child = spawn('storescp', ['-aet', 'STORESCP', '-od', outDir, String(port)], { stdio: 'ignore' });
    stop = () => child.kill('SIGTERM');
    await waitForPort(port, child);
  });
  after(() => stop());

  it('sends every file over one association and storescp keeps them', async () => {
    const result = await sendFiles({ host: '127.0.0.1', port, callingAeTitle: 'RADBRIDGE', calledAeTitle: 'STORESCP' }, series.files);
    assert.deepEqual(result, { sent: 3, failures: [] });
    const received = readdirSync(outDir);
    assert.equal(received.length, 3);
    const dump = await run('dcmdump', ['+P', '0008,0018', '-q', path.join(outDir, received[0] ?? '')]);
    assert.ok(series.sopInstanceUids.some((uid) => dump.stdout.includes(uid)));
  });

  it('the CLI sends a folder and reports a file that is not DICOM without sending it', async () => {
    const folder = tempDir();
    const more = writeCtSeries({ dir: folder, count: 2, seed: 'scu-cli' });
    writeFileSync(path.join(folder, 'notes.txt'), 'not a DICOM file');
    const r = await run('node', ['--import', 'tsx', 'src/cli/radbridge.ts', 'send', folder, '--to', `127.0.0.1:${port}`, '--aec', 'STORESCP']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /sent 2 of 3 file\(s\)/);
    assert.match(r.stderr, /notes\.txt: not sent: .*"DICM" prefix/);
    assert.equal(readdirSync(outDir).length, 3 + more.files.length);
  });
});
