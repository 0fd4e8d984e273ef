import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { queueOutbox, type OutboxObject, type OutboxStatus } from '../src/store/outbox.js';
import { getMultipart } from './support/dicomweb-client.js';
import { freePort, missingTools, run, waitForPort } from './support/interop.js';
import { startOrthanc, type RunningOrthanc } from './support/orthanc.js';
import { datasetOf } from './support/part10-dataset.js';
import { writeCtSeries, type WrittenSeries } from './support/synthetic-ct.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';
import { until } from './support/until.js';

/** The outbox end to end: objects queued for a real DCMTK storescp, a real Orthanc (STOW-RS) and a peer refusing them, sent by the job engine. */

const skip = missingTools('storescp', 'dcmdump', 'Orthanc');
const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';

function storescp(port: number, dir: string, ...options: string[]): ChildProcess {
  return spawn('storescp', [...options, '-aet', 'STORESCP', '-od', dir, String(port)], { stdio: 'ignore' });
}

describe('the outbox', { skip }, () => {
  let hub: TestHub;
  let refusing: TestHub;
  let orthanc: RunningOrthanc;
  const children: ChildProcess[] = [];
  let downPort = 0;
  let implicitPort = 0;
  let series: WrittenSeries;

  before(async () => {
    downPort = await freePort();
    implicitPort = await freePort();
    orthanc = await startOrthanc();
    refusing = await startTestHub({ limits: { maxRows: 32 } });
    hub = await startTestHub({
      jobs: { pollIntervalMs: 50, backoffBaseMs: 50, backoffMaxMs: 200 },
      destinations: {
        later: { host: '127.0.0.1', port: downPort, aeTitle: 'STORESCP' },
        implicit: { host: '127.0.0.1', port: implicitPort, aeTitle: 'STORESCP' },
        web: { stowUrl: orthanc.dicomwebUrl },
        refusing: { host: '127.0.0.1', port: refusing.dicomPort, aeTitle: 'RADBRIDGE' },
        'web-refusing': { stowUrl: `${refusing.url}/dicomweb` },
      },
    });
    series = writeCtSeries({ dir: tempDir(), count: 4, seed: 'outbox' });
  });

  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await hub?.stop();
    await refusing?.stop();
    await orthanc?.stop();
  });

  async function queue(destination: string, n: number): Promise<OutboxObject> {
    const file = series.files[n] ?? '';
    const object: OutboxObject = {
      studyUid: series.studyUid,
      destination,
      objectKind: 'sr',
      sopClassUid: CT_IMAGE,
      sopInstanceUid: series.sopInstanceUids[n] ?? '',
      filePath: await hub.app.objects.putBytes(readFileSync(file)),
    };
    await queueOutbox(hub.app.database, [object], Date.now(), { maxAttempts: 1000 });
    return object;
  }

  async function statusOf(sopInstanceUid: string, destination: string): Promise<OutboxStatus | undefined> {
    const response = await fetch(`${hub.url}/api/studies/${series.studyUid}/outbox`);
    assert.equal(response.status, 200);
    const { objects } = (await response.json()) as { objects: OutboxStatus[] };
    return objects.find((o) => o.sopInstanceUid === sopInstanceUid && o.destination === destination);
  }

  it('keeps an object while its destination is down, and delivers it once when the destination comes back', async () => {
    const object = await queue('later', 0);
    const waiting = await until('failed attempts', async () => {
      const s = await statusOf(object.sopInstanceUid, 'later');
      return s && s.attempts >= 3 ? s : undefined;
    });
    assert.equal(waiting.status === 'pending' || waiting.status === 'running', true, waiting.status);
    assert.match(waiting.lastError ?? '', /later.*ECONNREFUSED|refused/);
    assert.equal(waiting.sentAt, null);

    const dir = tempDir();
    const child = storescp(downPort, dir);
    children.push(child);
    await waitForPort(downPort, child);
    const sent = await until('the object sent', async () => {
      const s = await statusOf(object.sopInstanceUid, 'later');
      return s?.status === 'sent' ? s : undefined;
    });
    assert.equal(sent.sentTo, `STORESCP@127.0.0.1:${downPort}`);

    await queue('later', 0);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(readdirSync(dir).length, 1, 'one copy arrived');
    const rows = (await hub.app.database.db.selectFrom('outbox').select('id').where('sop_instance_uid', '=', object.sopInstanceUid).execute()).length;
    assert.equal(rows, 1, 'queued twice, kept once');
    const audit = await hub.app.database.db.selectFrom('audit_log').select(['event_code', 'source']).where('event_type', '=', 'result.sent').where('sop_instance_uid', '=', object.sopInstanceUid).execute();
    assert.deepEqual(audit, [{ event_code: '110106', source: `STORESCP@127.0.0.1:${downPort}` }]);
  });

  it('sends in a transfer syntax the peer accepts when it does not take the object as stored', async () => {
    const dir = tempDir();
    const child = storescp(implicitPort, dir, '+xi');
    children.push(child);
    await waitForPort(implicitPort, child);
    const object = await queue('implicit', 1);
    await until('the object sent', async () => ((await statusOf(object.sopInstanceUid, 'implicit'))?.status === 'sent' ? true : undefined));
    const [received] = readdirSync(dir);
    const dump = await run('dcmdump', ['-M', path.join(dir, received ?? '')]);
    assert.match(dump.stdout, /\(0002,0010\) UI =LittleEndianImplicit/);
    assert.match(dump.stdout, new RegExp(`\\(0008,0018\\) UI \\[${object.sopInstanceUid.replace(/\./g, '\\.')}\\]`));
  });

  it('stores an object by STOW-RS that the server returns by WADO-RS byte for byte', async () => {
    const object = await queue('web', 2);
    const sent = await until('the object sent', async () => {
      const s = await statusOf(object.sopInstanceUid, 'web');
      return s?.status === 'sent' ? s : undefined;
    });
    assert.equal(sent.sentTo, orthanc.dicomwebUrl);
    const url = `${orthanc.dicomwebUrl}/studies/${series.studyUid}/series/${series.seriesUid}/instances/${object.sopInstanceUid}`;
    const retrieved = await getMultipart(url, 'multipart/related; type="application/dicom"; transfer-syntax=*');
    assert.equal(retrieved.status, 200);
    assert.equal(retrieved.parts.length, 1);
    assert.deepEqual(datasetOf(retrieved.parts[0]?.body ?? Buffer.alloc(0)), datasetOf(readFileSync(series.files[2] ?? '')));
  });

  it('dead-letters an object the peer refuses, with the peer’s reason, without retrying', async () => {
    const object = await queue('refusing', 3);
    const failed = await until('the object failed', async () => {
      const s = await statusOf(object.sopInstanceUid, 'refusing');
      return s?.status === 'failed' ? s : undefined;
    });
    assert.equal(failed.attempts, 1);
    assert.match(failed.lastError ?? '', /refusing did not store 1 instance\(s\).*status 0xc000/i);
  });

  it('dead-letters an object a STOW-RS server refuses, with the failure reason it gave', async () => {
    const object = await queue('web-refusing', 3);
    const failed = await until('the object failed', async () => {
      const s = await statusOf(object.sopInstanceUid, 'web-refusing');
      return s?.status === 'failed' ? s : undefined;
    });
    assert.equal(failed.attempts, 1);
    assert.match(failed.lastError ?? '', new RegExp(`sending to web-refusing .*HTTP 409.*${object.sopInstanceUid.replace(/\./g, '\\.')} failure reason 0x[0-9a-f]{4}`));
  });

  it('refuses a study UID that is not one', async () => {
    const response = await fetch(`${hub.url}/api/studies/not-a-uid/outbox`);
    assert.equal(response.status, 400);
  });
});
