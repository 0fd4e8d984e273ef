import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { startHub } from '../src/hub.js';
import { listAnalysisResults } from '../src/store/analysis-results.js';
import { listJobs } from '../src/store/job-queue.js';
import { remoteInputOf } from '../src/analyze/remote-input.js';
import { classifyHeaders } from '../src/classify/classify-headers.js';
import { PermanentJobError } from '../src/jobs/job-engine.js';
import { openTestDatabase } from './support/test-database.js';
import { probeModule } from './support/probe-analyzers.js';
import { stow } from './support/stow-client.js';
import { dropSchema, postgresDatabase, testConfig, tempDir, type Overrides } from './support/test-hub.js';
import { writeSynth } from './support/trauma-study.js';
import pino from 'pino';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { until } from './support/until.js';

/** The analysis stage end to end: completion → routing → analysis.run on the hub's job engine → stored results, gated by rollout modes. */

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const databases: Array<[string, () => Overrides]> = [
  ['sqlite', () => ({ kind: 'sqlite' })],
  ['postgres', postgresDatabase],
];

for (const [name, database] of databases) {
  describe(`analysis on ${name}`, () => {
    const dataDir = tempDir();
    const modelHashFile = path.join(tempDir(), 'model.sha256');
    const config = testConfig(dataDir, { database: database(), completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 }, jobs: { backoffBaseMs: 10, backoffMaxMs: 20 } });
    let hub: Awaited<ReturnType<typeof startHub>>;
    let url = '';
    const http = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${url}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const jobsOf = async (kind: string) => (await listJobs(hub.app.database.db)).filter((j) => j.kind === kind);

    const approve = async (id: string, version = '1.0.0') => {
      const r = await http('PUT', `/api/analyzers/${id}/versions/${version}/approval`, { approval: 'approved', reason: 'validated on local data' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };

    before(async () => {
      writeFileSync(modelHashFile, 'a'.repeat(64));
      const analyzers = [
        probeModule({ id: 'ich', behaviour: 'finds', modelHashFile }),
        probeModule({ id: 'ptx', behaviour: 'finds' }),
        probeModule({ id: 'mr-only', behaviour: 'finds', modalities: ['MR'] }),
        probeModule({ id: 'broken', behaviour: 'fails' }),
        probeModule({ id: 'refusing', behaviour: 'refuses' }),
        probeModule({ id: 'spinning', behaviour: 'spins' }, { timeoutMs: 3_000 }),
        probeModule({ id: 'greedy', behaviour: 'exhausts-memory' }, { memoryMb: 64 }),
        probeModule({ id: 'unapproved', behaviour: 'finds' }),
        probeModule({ id: 'cloud', behaviour: 'finds', remote: true, watchFor: 'SYNTHETIC^' }),
        probeModule({ id: 'nearby', behaviour: 'finds', modalities: ['CT', 'US'], watchFor: 'SYNTHETIC^' }),
      ];
      hub = await startHub(config, { log: pino({ level: 'silent' }), analyzers });
      url = `http://127.0.0.1:${hub.httpPort}`;
      for (const id of ['ich', 'ptx', 'mr-only', 'broken', 'refusing', 'spinning', 'greedy', 'cloud', 'nearby']) await approve(id);
    });
    after(async () => {
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (config.database.kind === 'postgres') await dropSchema(config.database.url, config.database.schema);
    });

    it('fires per series as each completes, stores silent results unseen and shows assistive ones', async () => {
      const rules = {
        version: 1,
        rules: [
          { id: 'head', when: { classification: 'regions', in: ['head'] }, actions: [{ run: { analyzers: ['ich'] } }], lane: 'urgent' },
          { id: 'chest', when: { classification: 'regions', in: ['chest'] }, actions: [{ run: { analyzers: ['ptx'] } }], lane: 'urgent' },
        ],
      };
      assert.equal((await http('PUT', '/api/rules', { document: rules, reason: 'trauma pan-scan' })).status, 201);
      assert.equal((await http('PUT', '/api/analyzers/ptx/mode', { mode: 'assistive', reason: 'validated on local data' })).status, 200);
      const head = writeSynth('trauma-ct-head', tempDir());
      const chest = writeSynth('trauma-ct-chest', tempDir(), { dataset: head.first });
      const target = { host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT_TRAUMA1', calledAeTitle: 'RADBRIDGE' };
      assert.equal((await sendFiles(target, head.series.flatMap((s) => s.files))).failures.length, 0);
      await wait(250);
      await hub.sweep();
      const silent = await until('the head results', async () => {
        const stored = await listAnalysisResults(hub.app.database.db, head.studyUid);
        return stored.length === head.series.length ? stored : undefined;
      });
      assert.deepEqual(new Set(silent.map((r) => r.seriesUids[0])), new Set(head.series.map((s) => s.seriesUid)), 'the head is analysed before the chest has arrived');
      assert.deepEqual(silent.map((r) => [r.analyzerId, r.mode, r.lane, r.modelHash]), head.series.map(() => ['ich', 'silent', 'urgent', 'a'.repeat(64)]));
      for (const r of silent) {
        const series = head.series.find((s) => s.seriesUid === r.seriesUids[0]);
        assert.deepEqual(r.findings.map((f) => [f.type.value, f.location?.images[0]?.seriesUid, f.measurements[0]?.value, f.source.inputHash]), [['ich', series?.seriesUid, series?.files.length, r.inputHash]]);
        assert.match(r.inputHash ?? '', /^[0-9a-f]{64}$/);
      }
      assert.deepEqual((await http('GET', `/api/studies/${head.studyUid}/results`)).body.results, []);

      assert.equal((await stow(url, chest.series.flatMap((s) => s.files).map((f) => readFileSync(f)))).status, 200);
      await wait(250);
      await hub.sweep();
      const shown = await until('the chest results', async () => {
        const r = await http('GET', `/api/studies/${head.studyUid}/results`);
        const results = r.body.results as Array<{ analyzerId: string; mode: string; seriesUids: string[] }>;
        return results.length === chest.series.length ? results : undefined;
      });
      assert.deepEqual(shown.map((r) => [r.analyzerId, r.mode]), chest.series.map(() => ['ptx', 'assistive']));
      assert.deepEqual(new Set(shown.map((r) => r.seriesUids[0])), new Set(chest.series.map((s) => s.seriesUid)));
      assert.equal((await jobsOf('study.forward')).length, 0, 'nothing is sent');

      assert.equal((await http('PUT', '/api/analyzers/ptx/mode', { mode: 'silent', reason: 'paused after a complaint' })).status, 200);
      assert.deepEqual((await http('GET', `/api/studies/${head.studyUid}/results`)).body.results, [], 'back to silent: shown no more');
      assert.equal((await listAnalysisResults(hub.app.database.db, head.studyUid)).length, head.series.length + chest.series.length, 'still stored for validation');
    });

    it('fail-safe: an analyzer that is missing, unapproved, failing, refusing, spinning or out of memory ends in the dead-letter list with its reason and shows nothing', async () => {
      const analyzers = ['broken', 'refusing', 'spinning', 'greedy', 'unapproved', 'not-installed'];
      const rules = { version: 1, rules: [{ id: 'all-ct', when: { attribute: 'Modality', equals: 'CT' }, actions: [{ run: { analyzers } }] }] };
      assert.equal((await http('PUT', '/api/rules', { document: rules, reason: 'fail-safe drill' })).status, 201);
      const abdomen = writeSynth('trauma-ct-abdomen', tempDir());
      const target = { host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT_TRAUMA1', calledAeTitle: 'RADBRIDGE' };
      assert.equal((await sendFiles(target, abdomen.series.flatMap((s) => s.files))).failures.length, 0);
      await wait(250);
      await hub.sweep();
      const expected = abdomen.series.length * analyzers.length;
      const dead = await until(
        'the dead letters',
        async () => {
          const r = await http('GET', '/api/jobs?status=failed&kind=analysis.run&limit=100');
          const jobs = (r.body.jobs as Array<{ payload: { studyUid: string; analyzerId: string }; attempts: number; last_error: string }>).filter((j) => j.payload.studyUid === abdomen.studyUid);
          return jobs.length === expected ? jobs : undefined;
        },
        120_000,
      );
      const check = (id: string, attempts: number, reason: RegExp) => {
        const of = dead.filter((j) => j.payload.analyzerId === id);
        assert.equal(of.length, abdomen.series.length, id);
        for (const j of of) assert.deepEqual([j.attempts, reason.test(j.last_error)], [attempts, true], `${id}: ${j.last_error}`);
      };
      check('not-installed', 1, /analyzer not-installed is not registered on this hub/);
      check('unapproved', 1, /analyzer unapproved has no approved version \(registered: 1\.0\.0 pending\)/);
      check('broken', 5, /analyzer broken@1\.0\.0 failed: the model file is corrupt.*gave up after 5 attempts/);
      check('refusing', 1, /analyzer refusing@1\.0\.0 failed: the series has no pixel spacing$/);
      check('spinning', 5, /analyzer spinning@1\.0\.0 took longer than 3000 ms/);
      check('greedy', 1, /analyzer greedy@1\.0\.0 failed: ran out of its 64 MiB memory limit/);
      assert.equal((await listAnalysisResults(hub.app.database.db, abdomen.studyUid)).length, 0);
      assert.deepEqual((await http('GET', `/api/studies/${abdomen.studyUid}/results`)).body.results, []);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /radbridge_jobs_dead_letters(\{[^}]*\})? ([1-9]\d*)/);
      const qido = await fetch(`${url}/dicomweb/studies?StudyInstanceUID=${abdomen.studyUid}`);
      assert.equal(qido.status, 200, 'the study stays in the normal workflow');
    });

    it('stores why an input does not apply, and refuses to run a model swapped since its approval', async () => {
      const rules = { version: 1, rules: [{ id: 'every-ct', when: { attribute: 'Modality', equals: 'CT' }, actions: [{ run: { analyzers: ['mr-only', 'ich'] } }] }] };
      assert.equal((await http('PUT', '/api/rules', { document: rules, reason: 'applicability drill' })).status, 201);
      writeFileSync(modelHashFile, 'b'.repeat(64));
      const panscan = writeSynth('trauma-ct-panscan', tempDir());
      assert.equal((await stow(url, panscan.series.flatMap((s) => s.files).map((f) => readFileSync(f)))).status, 200);
      await wait(250);
      await hub.sweep();
      const stored = await until('the not-applicable results', async () => {
        const r = await listAnalysisResults(hub.app.database.db, panscan.studyUid);
        return r.length === panscan.series.length ? r : undefined;
      });
      for (const r of stored) {
        assert.deepEqual([r.analyzerId, r.applicability.applicable, r.findings], ['mr-only', false, []]);
        assert.deepEqual(r.applicability.reasons, [`series ${r.seriesUids[0]} is CT, not MR`]);
      }
      const swapped = await until('the swapped model refused', async () => {
        const r = await http('GET', '/api/jobs?status=failed&kind=analysis.run&limit=100');
        const jobs = (r.body.jobs as Array<{ payload: { studyUid: string; analyzerId: string }; attempts: number; last_error: string }>).filter((j) => j.payload.studyUid === panscan.studyUid);
        return jobs.length === panscan.series.length ? jobs : undefined;
      });
      for (const j of swapped) {
        assert.equal(j.payload.analyzerId, 'ich');
        assert.equal(j.attempts, 1);
        assert.match(j.last_error, new RegExp(`the model of ich@1\\.0\\.0 changed since it was approved \\(sha256 ${'a'.repeat(64)}, now ${'b'.repeat(64)}\\)`));
      }
    });

    it('gives a remote analyzer de-identified copies only, brings its findings back to the original UIDs, and sends no image that may carry burned-in text', async () => {
      const rules = { version: 1, rules: [{ id: 'to-the-cloud', when: { attribute: 'Modality', in: ['CT', 'US'] }, actions: [{ run: { analyzers: ['cloud', 'nearby'] } }] }] };
      assert.equal((await http('PUT', '/api/rules', { document: rules, reason: 'remote drill' })).status, 201);
      const head = writeSynth('trauma-ct-head', tempDir(), { seed: 23 });
      const fast = writeSynth('us-fast', tempDir(), { seed: 23 });
      assert.match(String(head.first.PatientName), /^SYNTHETIC\^/);
      assert.equal((await stow(url, [...head.series, ...fast.series].flatMap((s) => s.files).map((f) => readFileSync(f)))).status, 200);
      await wait(250);
      await hub.sweep();
      const results = await until('the remote and local results', async () => {
        const r = await listAnalysisResults(hub.app.database.db, head.studyUid);
        return r.length === 2 * head.series.length ? r : undefined;
      });
      const local = results.filter((r) => r.analyzerId === 'nearby');
      assert.deepEqual(local.map((r) => r.findings[0]?.type.meaning), head.series.map(() => 'input holds "SYNTHETIC^": true'), 'an analyzer inside the hospital reads the stored files');
      assert.ok(local.every((r) => r.findings[0]?.site?.value === head.studyUid));
      const stored = results.filter((r) => r.analyzerId === 'cloud');
      assert.equal(stored.length, head.series.length);
      for (const r of stored) {
        const series = head.series.find((s) => s.seriesUid === r.seriesUids[0]);
        const [finding, ...more] = r.findings;
        assert.deepEqual(more, []);
        assert.equal(finding?.type.meaning, 'input holds "SYNTHETIC^": false', 'the patient name did not reach the remote analyzer');
        assert.notEqual(finding?.site?.value, head.studyUid, 'it was given a replacement study UID');
        assert.match(finding?.site?.value ?? '', /^2\.25\.\d+$/);
        assert.equal(finding?.location?.images[0]?.seriesUid, series?.seriesUid, 'its finding is back on the original series');
        const sops = await hub.app.database.db.selectFrom('instances').select('sop_instance_uid').execute();
        assert.ok(sops.some((i) => i.sop_instance_uid === finding?.location?.images[0]?.sopInstanceUid), 'and on an original instance');
      }
      const exports = await hub.app.database.db.selectFrom('audit_log').select(['event_code', 'detail']).where('event_type', '=', 'instances.deidentified-for-remote').where('study_uid', '=', head.studyUid).execute();
      assert.equal(exports.length, head.series.length);
      assert.ok(exports.every((e) => e.event_code === '110106'));
      const refused = await until('the ultrasound refused', async () => {
        const r = await http('GET', '/api/jobs?status=failed&kind=analysis.run&limit=100');
        const jobs = (r.body.jobs as Array<{ payload: { studyUid: string }; attempts: number; last_error: string }>).filter((j) => j.payload.studyUid === fast.studyUid);
        return jobs.length === fast.series.length ? jobs : undefined;
      });
      const inside = await until('the ultrasound analyzed inside the hospital', async () => {
        const r = await listAnalysisResults(hub.app.database.db, fast.studyUid);
        return r.length === fast.series.length ? r : undefined;
      });
      assert.deepEqual(inside.map((r) => r.analyzerId), fast.series.map(() => 'nearby'), 'analyzed inside the hospital only');
      for (const j of refused) {
        assert.equal(j.attempts, 1);
        assert.match(j.last_error, /^not sent to cloud@1\.0\.0: file 1: modality US carries text in its pixels .*no pixel cleaning regions are configured/);
      }
    });
  });
}

describe('input for a remote analyzer', () => {
  it('refuses a structured report, whose free text is not cleaned, before reading anything', async () => {
    const t = await openTestDatabase('sqlite');
    try {
      const classification = classifyHeaders([]);
      const input = { studyUid: '2.25.1', inputHash: 'x', mode: 'silent' as const, series: [{ seriesUid: '2.25.2', modality: 'SR', classification, instances: [{ sopInstanceUid: '2.25.3', file: '/nonexistent/sr.dcm' }] }] };
      await assert.rejects(
        remoteInputOf({ database: t.database, pixelCleaning: [], now: Date.now }, input, 'cloud@1'),
        (err: Error) => err instanceof PermanentJobError && err.message === 'not sent to cloud@1: series 2.25.2 is a structured report, whose free text the basic profile does not clean',
      );
      assert.equal((await t.database.db.selectFrom('uid_replacements').select('original_uid').execute()).length, 0, 'no UID was given out');
    } finally {
      await t.remove();
    }
  });
});
