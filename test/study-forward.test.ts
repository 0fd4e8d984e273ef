import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { ConfigError } from '../src/config/load.js';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { studyForwardHandler } from '../src/publish/study-forward.js';
import { routeCompletedSeries } from '../src/route/route-series.js';
import { verifyAuditChain } from '../src/store/audit-log.js';
import { listEffects } from '../src/store/job-effects.js';
import { enqueueJob, listJobs, type JobPayloads } from '../src/store/job-queue.js';
import type { JobRecord } from '../src/store/job-records.js';
import { freePort, missingTools, run, waitForPort } from './support/interop.js';
import { writeCtSeries, type WrittenSeries } from './support/synthetic-ct.js';
import { startTestHub, tempDir, testConfig, type TestHub } from './support/test-hub.js';

/** The forward routing action end to end: a series stored, completed and routed, sent on by the job engine to a real DCMTK storescp. */

const skip = missingTools('storescp', 'dcmdump');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const rules = {
  version: 1,
  rules: [
    { id: 'ct-to-archive', when: { all: [{ attribute: 'Modality', equals: 'CT' }, { sender: { aeTitle: { equals: 'CT1' } } }] }, actions: [{ forward: { destination: 'archive' } }] },
    { id: 'ct-to-down', when: { sender: { aeTitle: { equals: 'CT_DOWN' } } }, actions: [{ forward: { destination: 'down' } }], lane: 'urgent' },
    { id: 'ct-to-strict', when: { sender: { aeTitle: { equals: 'CT_STRICT' } } }, actions: [{ forward: { destination: 'strict' } }] },
    { id: 'ct-to-full', when: { sender: { aeTitle: { equals: 'CT_FULL' } } }, actions: [{ forward: { destination: 'full' } }] },
  ],
};

async function jobsOf(hub: TestHub): Promise<JobRecord[]> {
  const r = await fetch(`${hub.url}/api/jobs?kind=study.forward`);
  return ((await r.json()) as { jobs: JobRecord[] }).jobs;
}

async function waitForJob(hub: TestHub, destination: string, until: (job: JobRecord) => boolean): Promise<JobRecord> {
  const deadline = Date.now() + 40_000;
  let last: JobRecord | undefined;
  while (Date.now() < deadline) {
    last = (await jobsOf(hub)).find((j) => (j.payload as JobPayloads['study.forward']).destination === destination);
    if (last && until(last)) return last;
    await wait(50);
  }
  assert.fail(`the study.forward job to ${destination} did not get there: ${JSON.stringify(last)}`);
}

async function sopInstanceUidsIn(folder: string): Promise<string[]> {
  const uids: string[] = [];
  for (const file of readdirSync(folder)) {
    const dump = await run('dcmdump', ['+P', '0008,0018', '-q', path.join(folder, file)]);
    const uid = /\[([0-9.]+)\]/.exec(dump.stdout)?.[1];
    assert.ok(uid, `no SOP Instance UID in ${file}: ${dump.stdout}${dump.stderr}`);
    uids.push(uid);
  }
  return uids.sort();
}

describe('forwarding routed series to a DICOM destination', { skip }, () => {
  const outDir = tempDir();
  let hub: TestHub;
  /** Peers that refuse the 64x64 test images: one as too large to hold (0xA700, out of resources), one as beyond its limits (0xC000). */
  let full: TestHub;
  let strict: TestHub;
  let stopStorescp: () => void = () => {};
  let port = 0;

  before(async () => {
    port = await freePort();
    const child = spawn('storescp', ['-aet', 'STORESCP', '-od', outDir, String(port)], { stdio: 'ignore' });
    stopStorescp = () => child.kill('SIGTERM');
    await waitForPort(port, child);
    const downPort = await freePort();
    full = await startTestHub({ limits: { maxObjectBytes: 4096 } });
    strict = await startTestHub({ limits: { maxRows: 32 } });
    hub = await startTestHub({
      completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 },
      jobs: { pollIntervalMs: 50, backoffBaseMs: 50, backoffMaxMs: 200 },
      destinations: {
        archive: { host: '127.0.0.1', port, aeTitle: 'STORESCP' },
        down: { host: '127.0.0.1', port: downPort, aeTitle: 'DOWN', callingAeTitle: 'RB_OUT' },
        full: { host: '127.0.0.1', port: full.dicomPort, aeTitle: 'RADBRIDGE' },
        strict: { host: '127.0.0.1', port: strict.dicomPort, aeTitle: 'RADBRIDGE' },
      },
    });
    const put = await fetch(`${hub.url}/api/rules`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ document: rules, reason: 'forward CT' }) });
    assert.equal(put.status, 201, await put.text());
  });
  after(async () => {
    await hub.stop();
    await full.stop();
    await strict.stop();
    stopStorescp();
  });

  /** Sends a series to the hub as `callingAeTitle`, lets it complete and routes the completion. */
  async function storeAndRoute(series: WrittenSeries, callingAeTitle: string): Promise<void> {
    const sent = await sendFiles({ host: '127.0.0.1', port: hub.dicomPort, callingAeTitle, calledAeTitle: 'RADBRIDGE' }, series.files);
    assert.deepEqual(sent.failures, []);
    await wait(250);
    await hub.sweep();
    const completion = (await listJobs(hub.app.database.db, 'series.complete')).map((j) => j.payload as JobPayloads['series.complete']).find((p) => p.seriesUid === series.seriesUid);
    assert.ok(completion, 'the series completed');
    const routed = await routeCompletedSeries(hub.app.route, completion);
    assert.equal(routed.routed, true);
  }

  it('sends exactly the series to the destination, records the effect once and audits the export', async () => {
    const series = writeCtSeries({ dir: tempDir(), count: 4, seed: 'forward-archive' });
    await storeAndRoute(series, 'CT1');
    const job = await waitForJob(hub, 'archive', (j) => j.status === 'done' || j.status === 'failed');
    assert.deepEqual([job.status, job.attempts, job.last_error], ['done', 1, null]);
    assert.deepEqual(await sopInstanceUidsIn(outDir), [...series.sopInstanceUids].sort());

    const effects = await listEffects(hub.app.database.db, job.idempotency_key);
    assert.deepEqual(effects.map((e) => JSON.parse(e.effect) as unknown), [{ destination: 'archive', sent: 4 }]);
    const audit = await hub.app.database.db.selectFrom('audit_log').select(['event_code', 'outcome', 'actor', 'source', 'study_uid', 'detail']).where('event_type', '=', 'instances.forwarded').execute();
    assert.equal(audit.length, 1);
    assert.deepEqual({ ...audit[0], detail: JSON.parse(audit[0]?.detail ?? '{}') as unknown }, {
      event_code: '110106',
      outcome: 'success',
      actor: 'RADBRIDGE',
      source: `STORESCP@127.0.0.1:${port}`,
      study_uid: series.studyUid,
      detail: { destination: 'archive', seriesUids: [series.seriesUid], sent: 4 },
    });

    // The same job run again (its worker died after sending, before marking it done): sent and audited again, counted once.
    const handler = studyForwardHandler({ config: hub.config, database: hub.app.database, objects: hub.app.objects, log: hub.app.log, now: Date.now });
    await handler(job.payload as JobPayloads['study.forward'], { signal: new AbortController().signal, attempt: 2, idempotencyKey: job.idempotency_key, jobId: job.id });
    assert.equal((await listEffects(hub.app.database.db, job.idempotency_key)).length, 1);
    const repeated = await hub.app.database.db.selectFrom('audit_log').select('detail').where('event_type', '=', 'instances.forwarded').orderBy('seq').execute();
    assert.deepEqual(JSON.parse(repeated[1]?.detail ?? '{}'), { destination: 'archive', seriesUids: [series.seriesUid], sent: 4, repeated: true });
    assert.deepEqual(await sopInstanceUidsIn(outDir), [...series.sopInstanceUids].sort(), 'the peer keeps each instance once');
    assert.equal((await verifyAuditChain(hub.app.database.db)).ok, true);
  });

  it('retries a destination that is down, with the reason', async () => {
    const series = writeCtSeries({ dir: tempDir(), count: 2, seed: 'forward-down' });
    await storeAndRoute(series, 'CT_DOWN');
    const job = await waitForJob(hub, 'down', (j) => j.attempts > 1 && j.status !== 'running');
    assert.ok(['pending', 'failed'].includes(job.status), job.status);
    assert.match(job.last_error ?? '', /sending to down \(DOWN@127\.0\.0\.1:\d+\) failed: .*(ECONNREFUSED|refused)/);
    assert.equal(job.dead_lettered_at === null, job.status === 'pending');
  });

  it('dead-letters at once what the peer refuses for good, and retries what it refuses for want of resources', async () => {
    const refused = writeCtSeries({ dir: tempDir(), count: 2, seed: 'forward-strict' });
    await storeAndRoute(refused, 'CT_STRICT');
    const permanent = await waitForJob(hub, 'strict', (j) => j.status === 'failed' || j.status === 'done');
    assert.deepEqual([permanent.status, permanent.attempts], ['failed', 1]);
    assert.match(permanent.last_error ?? '', /^strict did not store 2 instance\(s\) \(sent 0\); first: status 0xc000 /);

    const tooLarge = writeCtSeries({ dir: tempDir(), count: 2, seed: 'forward-full' });
    await storeAndRoute(tooLarge, 'CT_FULL');
    const transient = await waitForJob(hub, 'full', (j) => j.status === 'failed' || j.status === 'done');
    assert.deepEqual([transient.status, transient.attempts], ['failed', transient.max_attempts]);
    assert.ok(transient.max_attempts > 1);
    assert.match(transient.last_error ?? '', /full did not store 2 instance\(s\) \(sent 0\); first: status 0xa700 .*\(gave up after \d+ attempts\)$/);
    const audit = await hub.app.database.db.selectFrom('audit_log').select(['outcome', 'detail']).where('event_type', '=', 'instances.forwarded').where('study_uid', '=', tooLarge.studyUid).execute();
    assert.equal(audit.length, transient.max_attempts, 'each attempt is audited');
    assert.ok(audit.every((a) => a.outcome !== 'success'), JSON.stringify(audit));
  });

  it('dead-letters a job whose destination is no longer configured at once', async () => {
    const series = writeCtSeries({ dir: tempDir(), count: 1, seed: 'forward-gone' });
    await storeAndRoute(series, 'CT_OTHER');
    const payload: JobPayloads['study.forward'] = { studyUid: series.studyUid, seriesUids: [series.seriesUid], destination: 'gone', lane: 'normal', ruleId: 'removed-rule', generation: 1, amendment: false };
    await enqueueJob(hub.app.database.db, 'study.forward', payload, `study.forward:${series.seriesUid}:1:gone`, Date.now());
    const job = await waitForJob(hub, 'gone', (j) => j.status === 'failed' || j.status === 'done');
    assert.deepEqual([job.status, job.attempts], ['failed', 1]);
    assert.equal(job.last_error, 'destination "gone" is not configured (destinations: archive, down, full, strict)');
  });
});

describe('forward destinations in rules documents', () => {
  const destinations = { archive: { host: '127.0.0.1', port: 9, aeTitle: 'ARCHIVE' }, pacs: { host: '127.0.0.1', port: 9, aeTitle: 'PACS' } };
  const forwardingTo = (...names: string[]) => ({ version: 1, rules: [{ id: 'ct', when: { attribute: 'Modality', equals: 'CT' }, actions: names.map((destination) => ({ forward: { destination } })) }] });

  it('PUT /api/rules refuses a forward to a destination the configuration does not name, listing the known ones', async () => {
    const hub = await startTestHub({ destinations });
    try {
      const put = (document: unknown) => fetch(`${hub.url}/api/rules`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ document, reason: 'forward CT' }) });
      const refused = await put(forwardingTo('archive', 'reasearch'));
      const body = (await refused.json()) as { error: string; issues: string[] };
      assert.deepEqual([refused.status, body.error, body.issues], [400, 'RULES_INVALID', ['rules[0].actions[1].forward.destination: unknown destination "reasearch" (configured: archive, pacs in destinations)']]);
      assert.equal((await put(forwardingTo('archive', 'pacs'))).status, 201);
    } finally {
      await hub.stop();
    }
  });

  it('a rules file forwarding to an unknown destination stops the hub from starting', async () => {
    const file = path.join(tempDir(), 'rules.json');
    writeFileSync(file, JSON.stringify(forwardingTo('pacs', 'teleradiology')));
    await assert.rejects(buildApp(testConfig(tempDir(), { routing: { rulesFile: file } }), { log: pino({ level: 'silent' }) }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, [
        `routing.rulesFile ${file}: rules[0].actions[0].forward.destination: unknown destination "pacs" (none are configured in destinations)`,
        `routing.rulesFile ${file}: rules[0].actions[1].forward.destination: unknown destination "teleradiology" (none are configured in destinations)`,
      ]);
      return true;
    });
  });
});
