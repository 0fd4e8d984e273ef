import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listJobs } from '../src/store/job-queue.js';
import { verifyAuditChain } from '../src/store/audit-log.js';
import { missingTools, run } from './support/interop.js';
import { uidFrom, writeCtSeries } from './support/synthetic-ct.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';

const skip = missingTools('storescu', 'echoscu', 'dcmdump', 'dciodvfy');

describe('C-STORE SCP with DCMTK storescu', { skip }, () => {
  let hub: TestHub;
  const dir = tempDir();
  const series = writeCtSeries({ dir, count: 12, seed: 'dimse-ingest' });

  before(async () => {
    hub = await startTestHub({ completion: { quietPeriodMs: 1500, sweepIntervalMs: 60_000 } });
  });
  after(async () => {
    await hub.stop();
  });

  it('answers C-ECHO', async () => {
    const r = await run('echoscu', ['-aec', 'RADBRIDGE', '127.0.0.1', String(hub.dicomPort)]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('stores a CT series sent over one association and indexes it', async () => {
    const r = await run('storescu', ['-aet', 'CT_SCANNER', '-aec', 'RADBRIDGE', '127.0.0.1', String(hub.dicomPort), ...series.files]);
    assert.equal(r.code, 0, r.stderr);
    const db = hub.app.database.db;
    const instances = await db.selectFrom('instances').selectAll().execute();
    assert.equal(instances.length, 12);
    const study = await db.selectFrom('studies').selectAll().where('study_uid', '=', series.studyUid).executeTakeFirstOrThrow();
    assert.equal(study.num_instances, 12);
    assert.equal(study.num_series, 1);
    assert.equal(study.study_description, 'CT TRAUMA PANSCAN');
    const s = await db.selectFrom('series').selectAll().executeTakeFirstOrThrow();
    assert.equal(s.modality, 'CT');
    assert.equal(s.body_part_examined, 'CHEST');
    assert.equal(s.calling_ae_title, 'CT_SCANNER');
    const patient = await db.selectFrom('patients').selectAll().executeTakeFirstOrThrow();
    assert.equal(patient.patient_name, 'TRAUMA^SYNTHETIC');
    for (const row of instances) {
      assert.match(row.file_path, /^objects\/[0-9a-f]{2}\/[0-9a-f]{64}\.dcm$/);
      const bytes = readFileSync(path.join(hub.dataDir, row.file_path));
      assert.ok(bytes.subarray(0, 128).every((b) => b === 0), 'preamble is zeroed');
      assert.equal(bytes.toString('latin1', 128, 132), 'DICM');
      assert.equal(row.sender_ae_title, 'CT_SCANNER');
    }
    const audit = await db.selectFrom('audit_log').select(['event_type', 'event_code']).execute();
    assert.equal(audit.filter((a) => a.event_type === 'instance.received' && a.event_code === '110104').length, 12);
    assert.deepEqual(await verifyAuditChain(db), { ok: true, checked: audit.length });
  });

  it('stores files that DCMTK and dciodvfy read without error, with the same pixel data', async () => {
    const row = await hub.app.database.db.selectFrom('instances').selectAll().where('sop_instance_uid', '=', series.sopInstanceUids[0] ?? '').executeTakeFirstOrThrow();
    const stored = path.join(hub.dataDir, row.file_path);
    const dump = await run('dcmdump', ['+P', '0020,000d', stored]);
    assert.equal(dump.code, 0, dump.stderr);
    assert.match(dump.stdout, new RegExp(series.studyUid.replace(/\./g, '\\.')));
    const verified = await run('dciodvfy', [stored]);
    assert.doesNotMatch(verified.stdout + verified.stderr, /^Error/m, 'dicom3tools finds no error in the stored file');
    const original = readFileSync(series.files[0] ?? '');
    const copy = readFileSync(stored);
    assert.ok(copy.subarray(copy.length - 8192).equals(original.subarray(original.length - 8192)), 'pixel data bytes unchanged');
  });

  it('stores series sent over several associations at once', async () => {
    const studyUid = uidFrom('dimse-parallel-study');
    const parallel = [1, 2, 3].map((n) => writeCtSeries({ dir: tempDir(), count: 8, seed: `dimse-parallel-${n}`, studyUid, seriesNumber: n }));
    const sent = await Promise.all(parallel.map((p) => run('storescu', ['-aet', 'CT_SCANNER', '-aec', 'RADBRIDGE', '127.0.0.1', String(hub.dicomPort), ...p.files])));
    for (const r of sent) assert.equal(r.code, 0, r.stderr);
    const study = await hub.app.database.db.selectFrom('studies').selectAll().where('study_uid', '=', studyUid).executeTakeFirstOrThrow();
    assert.equal(study.num_series, 3);
    assert.equal(study.num_instances, 24);
    for (const p of parallel) {
      const s = await hub.app.database.db.selectFrom('series').select('num_instances').where('series_uid', '=', p.seriesUid).executeTakeFirstOrThrow();
      assert.equal(s.num_instances, 8);
    }
  });

  it('completes the series and study after the quiet period with durable jobs', async () => {
    await new Promise((r) => setTimeout(r, 1600));
    await hub.sweep();
    const jobs = (await listJobs(hub.app.database.db)).filter((j) => (j.payload as { studyUid: string }).studyUid === series.studyUid);
    assert.deepEqual(
      jobs.map((j) => j.kind).sort(),
      ['series.complete', 'study.complete'],
    );
    const study = jobs.find((j) => j.kind === 'study.complete');
    assert.deepEqual(study?.payload, { studyUid: series.studyUid, generation: 1, amendment: false, seriesCount: 1, instanceCount: 12 });
  });
});
