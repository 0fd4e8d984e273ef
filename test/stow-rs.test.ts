import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { part10, rawObject, pixels } from './support/raw-dicom.js';
import { failureReasons, referencedUids, stow } from './support/stow-client.js';
import { writeCtSeries } from './support/synthetic-ct.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';

describe('STOW-RS', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub.stop();
  });

  it('stores every part and answers 200 with a ReferencedSOPSequence and RetrieveURLs', async () => {
    const series = writeCtSeries({ dir: tempDir(), count: 3, seed: 'stow-ok' });
    const r = await stow(hub.url, series.files.map((f) => readFileSync(f)));
    assert.equal(r.status, 200);
    assert.deepEqual(referencedUids(r).sort(), [...series.sopInstanceUids].sort());
    assert.equal(r.body['00081198'], undefined);
    assert.match(String(r.body['00081190']?.Value?.[0]), new RegExp(`/dicomweb/studies/${series.studyUid}$`));
    const rows = await hub.app.database.db.selectFrom('instances').select(['sop_instance_uid', 'received_via']).execute();
    assert.equal(rows.filter((x) => x.received_via === 'stow').length, 3);
  });

  it('stores into the study named in the URL and answers 409 for an instance of another study', async () => {
    const a = rawObject('stow-study-a', pixels(4, 4));
    const ok = await stow(hub.url, [part10(a)], a.studyUid);
    assert.equal(ok.status, 200);
    const b = rawObject('stow-study-b', pixels(4, 4));
    const conflict = await stow(hub.url, [part10(b)], a.studyUid);
    assert.equal(conflict.status, 409);
    assert.deepEqual(failureReasons(conflict), [0xa900]);
    const stored = await hub.app.database.db.selectFrom('instances').select('sop_instance_uid').where('sop_instance_uid', '=', b.sopInstanceUid).execute();
    assert.equal(stored.length, 0);
  });

  it('answers 202 when some parts are stored and others fail, naming each failure', async () => {
    const good = rawObject('stow-partial-good', pixels(4, 4));
    const truncated = part10(rawObject('stow-partial-bad', pixels(16, 16))).subarray(0, 300);
    const r = await stow(hub.url, [part10(good), truncated]);
    assert.equal(r.status, 202);
    assert.deepEqual(referencedUids(r), [good.sopInstanceUid]);
    assert.deepEqual(failureReasons(r), [0xc000]);
  });

  it('answers 400 for a body that is not DICOM and 415 for a body that is not multipart/related', async () => {
    const notDicom = await stow(hub.url, [Buffer.from('hello, this is not a DICOM object at all'.repeat(10))]);
    assert.equal(notDicom.status, 400);
    const plain = await fetch(`${hub.url}/dicomweb/studies`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(plain.status, 415);
    const noBoundary = await fetch(`${hub.url}/dicomweb/studies`, { method: 'POST', headers: { 'content-type': 'multipart/related; type="application/dicom"' }, body: 'x' });
    assert.equal(noBoundary.status, 400);
    assert.match(((await noBoundary.json()) as { message: string }).message, /boundary/);
  });

  it('leaves no temp file behind after refusals', () => {
    assert.deepEqual(readdirSync(path.join(hub.dataDir, 'tmp')), []);
  });
});
