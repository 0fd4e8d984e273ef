import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import type { Analyzer, AnalysisRequest } from '../src/analyze/analyzer.js';
import { startHub } from '../src/hub.js';
import { listAnalysisResults } from '../src/store/analysis-results.js';
import { listJobs } from '../src/store/job-queue.js';
import { stow } from './support/stow-client.js';
import { dropSchema, postgresDatabase, testConfig, tempDir, type Overrides } from './support/test-hub.js';
import { writeSynth } from './support/trauma-study.js';
import pino from 'pino';
import { rmSync } from 'node:fs';

/** The analysis stage end to end: completion → routing → analysis.run on the hub's job engine → stored results, gated by rollout modes. */

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await wait(50);
  }
}

/** An analyzer that answers one finding per call and remembers what it was asked. */
function recordingAnalyzer(id: string, calls: Array<{ id: string } & AnalysisRequest>): Analyzer {
  return {
    id,
    version: '1.0.0',
    analyze: (request) => {
      calls.push({ id, ...request });
      return Promise.resolve({ findings: [{ type: `${id}-finding`, series: request.seriesUids[0] }] });
    },
  };
}

const failing: Analyzer = { id: 'broken', version: '0.1', analyze: () => Promise.reject(new Error('the model file is corrupt')) };
/** Ignores its signal and never answers: only the stage's time limit ends it. */
const hanging: Analyzer = { id: 'hanging', version: '0.1', timeoutMs: 100, analyze: () => new Promise(() => undefined) };

const databases: Array<[string, () => Overrides]> = [
  ['sqlite', () => ({ kind: 'sqlite' })],
  ['postgres', postgresDatabase],
];

for (const [name, database] of databases) {
  describe(`analysis on ${name}`, () => {
    const calls: Array<{ id: string } & AnalysisRequest> = [];
    const dataDir = tempDir();
    const config = testConfig(dataDir, { database: database(), completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 }, jobs: { backoffBaseMs: 10, backoffMaxMs: 20 } });
    let hub: Awaited<ReturnType<typeof startHub>>;
    let url = '';
    const http = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${url}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const jobsOf = async (kind: string) => (await listJobs(hub.app.database.db)).filter((j) => j.kind === kind);

    before(async () => {
      const analyzers = [recordingAnalyzer('ich', calls), recordingAnalyzer('ptx', calls), failing, hanging];
      hub = await startHub(config, { log: pino({ level: 'silent' }), analyzers });
      url = `http://127.0.0.1:${hub.httpPort}`;
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
      assert.deepEqual(new Set(calls.map((c) => c.seriesUids[0])), new Set(head.series.map((s) => s.seriesUid)), 'the head is analysed before the chest has arrived');
      assert.deepEqual(silent.map((r) => [r.analyzerId, r.mode, r.lane]), head.series.map(() => ['ich', 'silent', 'urgent']));
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

    it('fail-safe: a missing, failing or hanging analyzer ends in the dead-letter list with its reason and shows nothing', async () => {
      const rules = { version: 1, rules: [{ id: 'all-ct', when: { attribute: 'Modality', equals: 'CT' }, actions: [{ run: { analyzers: ['broken', 'hanging', 'not-installed'] } }] }] };
      assert.equal((await http('PUT', '/api/rules', { document: rules, reason: 'fail-safe drill' })).status, 201);
      const abdomen = writeSynth('trauma-ct-abdomen', tempDir());
      const target = { host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT_TRAUMA1', calledAeTitle: 'RADBRIDGE' };
      assert.equal((await sendFiles(target, abdomen.series.flatMap((s) => s.files))).failures.length, 0);
      await wait(250);
      await hub.sweep();
      const expected = abdomen.series.length * 3;
      const dead = await until('the dead letters', async () => {
        const r = await http('GET', '/api/jobs?status=failed&kind=analysis.run&limit=100');
        const jobs = (r.body.jobs as Array<{ payload: { studyUid: string; analyzerId: string }; attempts: number; last_error: string }>).filter((j) => j.payload.studyUid === abdomen.studyUid);
        return jobs.length === expected ? jobs : undefined;
      });
      const reasons = (id: string) => dead.filter((j) => j.payload.analyzerId === id);
      for (const j of reasons('not-installed')) assert.deepEqual([j.attempts, /not installed/.test(j.last_error)], [1, true], j.last_error);
      for (const j of reasons('broken')) assert.deepEqual([j.attempts, /the model file is corrupt.*gave up after 5 attempts/.test(j.last_error)], [5, true], j.last_error);
      for (const j of reasons('hanging')) assert.equal(/took longer than 100 ms/.test(j.last_error), true, j.last_error);
      assert.equal((await listAnalysisResults(hub.app.database.db, abdomen.studyUid)).length, 0);
      assert.deepEqual((await http('GET', `/api/studies/${abdomen.studyUid}/results`)).body.results, []);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /radbridge_jobs_dead_letters(\{[^}]*\})? ([1-9]\d*)/);
      const qido = await fetch(`${url}/dicomweb/studies?StudyInstanceUID=${abdomen.studyUid}`);
      assert.equal(qido.status, 200, 'the study stays in the normal workflow');
    });
  });
}
