import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { verifyAuditChain } from '../src/store/audit-log.js';
import { claimNextJob } from '../src/store/job-leases.js';
import { enqueueJob, listJobs } from '../src/store/job-queue.js';
import { element, part10, pixels, rawObject } from './support/raw-dicom.js';
import { failureReasons, stow } from './support/stow-client.js';
import { writeCtSeries } from './support/synthetic-ct.js';
import { postgresDatabase, startTestHub, tempDir, type Overrides, type TestHub } from './support/test-hub.js';

/** The same storage suite runs on the embedded SQLite index and on the machine's PostgreSQL. */
const databases: Array<[string, () => Overrides]> = [
  ['sqlite', () => ({ kind: 'sqlite' })],
  ['postgres', postgresDatabase],
];

const quiet = { quietPeriodMs: 200, sweepIntervalMs: 60_000 };
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const [name, database] of databases) {
  describe(`storage on ${name}`, () => {
    const dataDir = tempDir();
    const db = database();
    let hub: TestHub;
    before(async () => {
      hub = await startTestHub({ database: db, completion: quiet }, dataDir);
    });
    after(async () => {
      await hub.stop();
    });

    it('indexes patients, studies, series and instances with their counts', async () => {
      const series = writeCtSeries({ dir: tempDir(), count: 4, seed: `suite-${name}` });
      assert.equal((await stow(hub.url, series.files.map((f) => readFileSync(f)))).status, 200);
      const study = await hub.app.database.db.selectFrom('studies').selectAll().where('study_uid', '=', series.studyUid).executeTakeFirstOrThrow();
      assert.equal(study.num_instances, 4);
      assert.equal(study.num_series, 1);
      assert.equal(study.accession_number, `ACC${`suite-${name}`.length}4`);
      const s = await hub.app.database.db.selectFrom('series').selectAll().where('series_uid', '=', series.seriesUid).executeTakeFirstOrThrow();
      assert.equal(s.num_instances, 4);
      assert.equal(s.protocol_name, 'TRAUMA WB');
      assert.equal(s.manufacturer, 'Radbridge Synthetic');
    });

    it('treats an identical resend as idempotent and a conflicting one by policy keep-first', async () => {
      const o = rawObject(`dup-${name}`, pixels(4, 4));
      assert.equal((await stow(hub.url, [part10(o)])).status, 200);
      assert.equal((await stow(hub.url, [part10(o)])).status, 200);
      const changed = { ...o, dataset: Buffer.concat([o.dataset, element(0x00204000, 'LT', Buffer.from('CHANGED '))]) };
      const conflict = await stow(hub.url, [part10(changed)]);
      assert.equal(conflict.status, 409);
      assert.deepEqual(failureReasons(conflict), [0x0111]);
      const rows = await hub.app.database.db.selectFrom('instances').select(['content_hash']).where('sop_instance_uid', '=', o.sopInstanceUid).execute();
      assert.equal(rows.length, 1);
      const audit = await hub.app.database.db.selectFrom('audit_log').select('event_type').where('sop_instance_uid', '=', o.sopInstanceUid).orderBy('seq').execute();
      assert.deepEqual(audit.map((a) => a.event_type), ['instance.received', 'instance.duplicate-identical', 'instance.duplicate-rejected']);
    });

    it('completes series and studies after the quiet period, and a late instance reopens them as an amendment', async () => {
      const o = rawObject(`late-${name}`, pixels(4, 4));
      assert.equal((await stow(hub.url, [part10(o)])).status, 200);
      await wait(250);
      await hub.sweep();
      const late = rawObject(`late2-${name}`, pixels(4, 4), { studyUid: o.studyUid, seriesUid: o.seriesUid });
      assert.equal((await stow(hub.url, [part10(late)])).status, 200);
      const reopened = await hub.app.database.db.selectFrom('series').select(['status', 'generation']).where('series_uid', '=', o.seriesUid).executeTakeFirstOrThrow();
      assert.deepEqual(reopened, { status: 'receiving', generation: 2 });
      await wait(250);
      await hub.sweep();
      const jobs = (await listJobs(hub.app.database.db)).filter((j) => JSON.stringify(j.payload).includes(o.studyUid));
      const studyJobs = jobs.filter((j) => j.kind === 'study.complete').map((j) => j.payload as { generation: number; amendment: boolean; instanceCount: number });
      assert.deepEqual(studyJobs, [
        { studyUid: o.studyUid, generation: 1, amendment: false, seriesCount: 1, instanceCount: 1 },
        { studyUid: o.studyUid, generation: 2, amendment: true, seriesCount: 1, instanceCount: 2 },
      ]);
      assert.equal(jobs.filter((j) => j.kind === 'series.complete').length, 2);
    });

    it('keeps the audit log append-only and its hash chain intact', async () => {
      const verified = await verifyAuditChain(hub.app.database.db);
      assert.equal(verified.ok, true);
      assert.ok(verified.checked >= 8);
      await assert.rejects(sql`UPDATE audit_log SET actor = 'someone else'`.execute(hub.app.database.db), /append-only/);
      await assert.rejects(sql`DELETE FROM audit_log`.execute(hub.app.database.db), /append-only/);
    });

    it('hands a job to one claimer only and enqueues a key once', async () => {
      const now = Date.now();
      await enqueueJob(hub.app.database.db, 'job.probe', { label: 'claim' }, `claim-${name}`, now);
      await enqueueJob(hub.app.database.db, 'job.probe', { label: 'claim' }, `claim-${name}`, now);
      const claims = await Promise.all([1, 2, 3].map((n) => claimNextJob(hub.app.database, ['job.probe'], `claimer-${n}`, now, now + 60_000)));
      assert.equal(claims.filter((c) => c !== undefined).length, 1);
      const held = await hub.app.database.db.selectFrom('jobs').select(['status', 'attempts', 'lease_owner']).where('idempotency_key', '=', `claim-${name}`).executeTakeFirstOrThrow();
      assert.deepEqual({ ...held, lease_owner: held.lease_owner?.startsWith('claimer-') }, { status: 'running', attempts: 1, lease_owner: true });
    });

    it('keeps everything across a restart', async () => {
      const before = await hub.app.database.db.selectFrom('instances').select(['sop_instance_uid', 'file_path']).orderBy('id').execute();
      await hub.stopKeepingData();
      hub = await startTestHub({ database: db, completion: quiet }, dataDir);
      const afterRestart = await hub.app.database.db.selectFrom('instances').select(['sop_instance_uid', 'file_path']).orderBy('id').execute();
      assert.deepEqual(afterRestart, before);
      for (const row of afterRestart) assert.equal(readFileSync(`${dataDir}/${row.file_path}`).toString('latin1', 128, 132), 'DICM');
      assert.equal((await verifyAuditChain(hub.app.database.db)).ok, true);
    });
  });
}

for (const policy of ['replace', 'keep-both'] as const) {
  describe(`duplicate policy ${policy}`, () => {
    let hub: TestHub;
    before(async () => {
      hub = await startTestHub({ storage: { duplicatePolicy: policy } });
    });
    after(async () => {
      await hub.stop();
    });

    it('stores the conflicting object, keeps the other file and audits the decision', async () => {
      const o = rawObject(`policy-${policy}`, pixels(4, 4));
      assert.equal((await stow(hub.url, [part10(o)])).status, 200);
      const first = await hub.app.database.db.selectFrom('instances').select(['content_hash', 'file_path']).executeTakeFirstOrThrow();
      const changed = { ...o, dataset: Buffer.concat([o.dataset, element(0x00204000, 'LT', Buffer.from('CHANGED '))]) };
      assert.equal((await stow(hub.url, [part10(changed)])).status, 200);
      const current = await hub.app.database.db.selectFrom('instances').select(['content_hash', 'file_path']).execute();
      const versions = await hub.app.database.db.selectFrom('instance_versions').select(['content_hash', 'disposition']).execute();
      assert.equal(current.length, 1);
      assert.equal(versions.length, 1);
      if (policy === 'replace') {
        assert.notEqual(current[0]?.content_hash, first.content_hash);
        assert.deepEqual(versions[0], { content_hash: first.content_hash, disposition: 'replaced' });
      } else {
        assert.equal(current[0]?.content_hash, first.content_hash);
        assert.equal(versions[0]?.disposition, 'kept-both');
      }
      assert.equal(readFileSync(`${hub.dataDir}/${first.file_path}`).length > 0, true, 'the first file is never overwritten');
      const audit = await hub.app.database.db.selectFrom('audit_log').select('event_type').orderBy('seq').execute();
      assert.deepEqual(audit.map((a) => a.event_type), ['instance.received', policy === 'replace' ? 'instance.replaced' : 'instance.kept-both']);
    });
  });
}
