import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { permissionsOf } from '../src/domain/rollout-mode.js';
import { routeCompletedSeries } from '../src/route/route-series.js';
import { rolloutModeOf } from '../src/store/analyzer-modes.js';
import { verifyAuditChain } from '../src/store/audit-log.js';
import { listJobs, type JobPayloads } from '../src/store/job-queue.js';
import { stow } from './support/stow-client.js';
import { postgresDatabase, startTestHub, tempDir, type Overrides, type TestHub } from './support/test-hub.js';
import { writeLateInstance, writeSynth } from './support/trauma-study.js';

/** The route stage and its stored configuration, on the embedded SQLite index and on the machine's PostgreSQL. */
const databases: Array<[string, () => Overrides]> = [
  ['sqlite', () => ({ kind: 'sqlite' })],
  ['postgres', postgresDatabase],
];

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(hub: TestHub, method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${hub.url}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function auditOf(hub: TestHub, type: string, outcome = 'success') {
  const rows = await hub.app.database.db
    .selectFrom('audit_log')
    .select(['actor', 'source', 'detail', 'event_code'])
    .where('event_type', '=', type)
    .where('outcome', '=', outcome as 'success')
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
}

const traumaRules = {
  version: 1,
  rules: [
    {
      id: 'trauma-head',
      when: { all: [{ attribute: 'Modality', equals: 'CT' }, { classification: 'regions', in: ['head'] }, { sender: { aeTitle: { equals: 'CT_TRAUMA1' } } }] },
      actions: [{ run: { analyzers: ['ich'], series: { not: { classification: 'ct.kernel', equals: 'bone' } } } }],
      lane: 'urgent',
    },
    { id: 'head-bone', when: { all: [{ classification: 'bodyRegion', equals: 'head' }, { classification: 'ct.kernel', equals: 'bone' }] }, actions: [{ run: { analyzers: ['skull-fracture'] } }], lane: 'normal' },
    { id: 'trauma-chest', when: { classification: 'regions', in: ['chest'] }, actions: [{ run: { analyzers: ['pneumothorax'] } }, { forward: { destination: 'research' } }], lane: 'urgent' },
    { id: 'knee', when: { classification: 'radiograph.bodyPart', equals: 'knee' }, actions: [{ run: { analyzers: ['knee-alignment'] } }], lane: 'off-peak' },
    { id: 'no-lung-kernel', when: { classification: 'ct.kernel', equals: 'lung' }, actions: [{ discard: { reason: 'the lung kernel is read by the soft-tissue analyzers' } }] },
  ],
};

/** The destinations the rules forward to; nothing listens on them (forwarding has tests of its own). */
const exampleDestinations = Object.fromEntries(['research-archive', 'teleradiology', 'research'].map((name) => [name, { host: '127.0.0.1', port: 9, aeTitle: 'NOBODY' }]));

for (const [name, database] of databases) {
  describe(`routing on ${name}`, () => {
    let hub: TestHub;
    before(async () => {
      hub = await startTestHub({ database: database(), completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 }, destinations: exampleDestinations });
    });
    after(async () => {
      await hub.stop();
    });

    const completions = async (): Promise<Array<JobPayloads['series.complete']>> => (await listJobs(hub.app.database.db, 'series.complete')).map((j) => j.payload as JobPayloads['series.complete']);
    const queued = async () => (await listJobs(hub.app.database.db)).filter((j) => j.kind === 'analysis.run' || j.kind === 'study.forward').map((j) => ({ kind: j.kind, ...(j.payload as JobPayloads['analysis.run']) }));

    it('stores each rules version with who, why and its hash, and audits what changed', async () => {
      const example = parseYaml(readFileSync(new URL('../docs/rules-example.yaml', import.meta.url), 'utf8')) as typeof traumaRules;
      const first = await send(hub, 'PUT', '/api/rules', { document: example, reason: 'initial rules for the trauma centre' });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.deepEqual([first.body.version, first.body.changed], [1, true]);
      const again = await send(hub, 'PUT', '/api/rules', { document: example, reason: 'same again' });
      assert.deepEqual([again.status, again.body.version, again.body.changed], [200, 1, false]);
      const second = await send(hub, 'PUT', '/api/rules', { document: traumaRules, reason: 'per-series trauma routing' });
      assert.equal(second.body.version, 2);
      const current = await send(hub, 'GET', '/api/rules');
      assert.deepEqual([current.body.version, current.body.reason, current.body.changedBy], [2, 'per-series trauma routing', '127.0.0.1']);
      assert.equal((current.body.document as { rules: unknown[] }).rules.length, 5);
      const audit = await auditOf(hub, 'config.rules-changed');
      assert.equal(audit.length, 2, 'an unchanged document is not a change');
      assert.deepEqual(audit.map((a) => [a.actor, a.event_code]), [['127.0.0.1', '110113'], ['127.0.0.1', '110113']]);
      const detail = audit[1]?.detail ?? {};
      assert.deepEqual([detail.version, detail.previousVersion, detail.reason, detail.sha256], [2, 1, 'per-series trauma routing', current.body.sha256]);
      assert.deepEqual(detail.added, ['trauma-head', 'head-bone', 'trauma-chest', 'knee', 'no-lung-kernel']);
      assert.deepEqual(detail.removed, ['discard-scouts', 'trauma-head-ct', 'trauma-body-ct', 'night-teleradiology', 'knee-radiographs', 'third-party-ai-results']);
      const changed = { ...traumaRules, rules: traumaRules.rules.map((r) => (r.id === 'knee' ? { ...r, lane: 'normal' } : r)) };
      await send(hub, 'PUT', '/api/rules', { document: changed, reason: 'knees in the normal lane' });
      await send(hub, 'PUT', '/api/rules', { document: traumaRules, reason: 'knees back off-peak' });
      const last = (await auditOf(hub, 'config.rules-changed')).at(-1)?.detail;
      assert.deepEqual([last?.added, last?.removed, last?.changed, last?.version], [[], [], ['knee'], 4]);
      assert.equal((await verifyAuditChain(hub.app.database.db)).ok, true);
    });

    it('refuses a bad document with every problem and stores nothing; a change needs a reason', async () => {
      const bad = await send(hub, 'PUT', '/api/rules', {
        reason: 'typo',
        document: { version: 1, rules: [{ id: 'x', when: { any: [{ attribute: 'Modality', regex: '[' }] }, actions: [{ run: { analyzers: [] } }] }] },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error, 'RULES_INVALID');
      assert.deepEqual(bad.body.issues, ['rules[0].when.any[0].regex: invalid regular expression "["', 'rules[0].actions[0].run.analyzers: name at least one analyzer']);
      const noReason = await send(hub, 'PUT', '/api/rules', { document: traumaRules });
      assert.deepEqual([noReason.status, noReason.body.error], [400, 'REASON_REQUIRED']);
      const blankReason = await send(hub, 'PUT', '/api/rules', { document: traumaRules, reason: '   ' });
      assert.deepEqual([blankReason.status, blankReason.body.error], [400, 'REASON_REQUIRED']);
      const noDocument = await send(hub, 'PUT', '/api/rules', { reason: 'empty' });
      assert.deepEqual([noDocument.status, noDocument.body.error], [400, 'BAD_REQUEST']);
      const notJson = await send(hub, 'PUT', '/api/rules', '{"document": ');
      assert.deepEqual([notJson.status, notJson.body.error], [400, 'BAD_REQUEST']);
      assert.equal((await send(hub, 'GET', '/api/rules')).body.version, 4);
      const refusals = await auditOf(hub, 'config.rules-changed', 'minor-failure');
      assert.deepEqual(refusals.map((a) => [a.actor, a.detail.error]), [
        ['127.0.0.1', 'RULES_INVALID'],
        ['127.0.0.1', 'REASON_REQUIRED'],
        ['127.0.0.1', 'REASON_REQUIRED'],
        ['127.0.0.1', 'BAD_REQUEST'],
      ]);
      assert.deepEqual(refusals[0]?.detail.issues, bad.body.issues);
    });

    it('routes each series the moment it completes: the head before the chest has arrived', async () => {
      const head = writeSynth('trauma-ct-head', tempDir());
      const chest = writeSynth('trauma-ct-chest', tempDir(), { dataset: head.first });
      const target = { host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT_TRAUMA1', calledAeTitle: 'RADBRIDGE' };
      assert.equal((await sendFiles(target, head.series.flatMap((s) => s.files))).failures.length, 0);
      await wait(250);
      await hub.sweep();
      const headDone = (await completions()).filter((c) => c.studyUid === head.studyUid);
      assert.equal(headDone.length, 2);
      for (const c of headDone) assert.equal((await routeCompletedSeries(hub.app.route, c)).routed, true);
      const [brain, bone] = head.series;
      // The hub's own workers may route the two completions first, in either order.
      const byAnalyzer = (jobs: Awaited<ReturnType<typeof queued>>) => [...jobs].sort((a, b) => a.analyzerId.localeCompare(b.analyzerId));
      assert.deepEqual(byAnalyzer(await queued()), [
        { kind: 'analysis.run', studyUid: head.studyUid, seriesUids: [brain?.seriesUid], generation: 1, amendment: false, analyzerId: 'ich', lane: 'urgent', ruleId: 'trauma-head' },
        { kind: 'analysis.run', studyUid: head.studyUid, seriesUids: [bone?.seriesUid], generation: 1, amendment: false, analyzerId: 'skull-fracture', lane: 'normal', ruleId: 'head-bone' },
      ]);

      assert.equal((await stow(hub.url, chest.series.flatMap((s) => s.files).map((f) => readFileSync(f)))).status, 200);
      await wait(250);
      await hub.sweep();
      const chestDone = (await completions()).filter((c) => chest.series.some((s) => s.seriesUid === c.seriesUid));
      assert.equal(chestDone.length, 2);
      for (const c of chestDone) await routeCompletedSeries(hub.app.route, c);
      const [soft, lung] = chest.series;
      const chestJobs = (await queued()).filter((j) => j.seriesUids[0] !== brain?.seriesUid && j.seriesUids[0] !== bone?.seriesUid);
      assert.deepEqual(chestJobs.map((j) => [j.kind, j.seriesUids[0], j.analyzerId ?? (j as unknown as JobPayloads['study.forward']).destination]), [
        ['analysis.run', soft?.seriesUid, 'pneumothorax'],
        ['study.forward', soft?.seriesUid, 'research'],
      ]);

      const routing = await send(hub, 'GET', `/api/studies/${head.studyUid}/routing`);
      const decisions = routing.body.decisions as Array<{ seriesUid: string; ruleId: string; outcome: string; rulesVersion: number }>;
      assert.equal(decisions.length, 4 * 5);
      const of = (series: string | undefined) => Object.fromEntries(decisions.filter((d) => d.seriesUid === series).map((d) => [d.ruleId, d.outcome]));
      assert.deepEqual(of(brain?.seriesUid), { 'trauma-head': 'acted', 'head-bone': 'not-matched', 'trauma-chest': 'not-matched', knee: 'not-matched', 'no-lung-kernel': 'not-matched' });
      assert.deepEqual(of(bone?.seriesUid), { 'trauma-head': 'not-selected', 'head-bone': 'acted', 'trauma-chest': 'not-matched', knee: 'not-matched', 'no-lung-kernel': 'not-matched' });
      assert.deepEqual(of(lung?.seriesUid), { 'trauma-head': 'not-matched', 'head-bone': 'not-matched', 'trauma-chest': 'overruled-by-discard', knee: 'not-matched', 'no-lung-kernel': 'discarded' });
      assert.ok(decisions.every((d) => d.rulesVersion === 4));
    });

    it('routing the same completion again queues nothing more', async () => {
      const before = await queued();
      const decisions = await hub.app.database.db.selectFrom('routing_decisions').select('id').execute();
      for (const c of await completions()) await routeCompletedSeries(hub.app.route, c);
      assert.deepEqual(await queued(), before);
      assert.equal((await hub.app.database.db.selectFrom('routing_decisions').select('id').execute()).length, decisions.length);
    });

    it('routes a pan-scan series to the head and chest analyzers at once, a knee radiograph to its own', async () => {
      const pan = writeSynth('trauma-ct-panscan', tempDir());
      const knee = writeSynth('xr-knee', tempDir());
      const target = { host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT_TRAUMA1', calledAeTitle: 'RADBRIDGE' };
      assert.equal((await sendFiles(target, [...pan.series, ...knee.series].flatMap((s) => s.files))).failures.length, 0);
      await wait(250);
      await hub.sweep();
      const done = (await completions()).filter((c) => c.studyUid === pan.studyUid || c.studyUid === knee.studyUid);
      const results = await Promise.all(done.map((c) => routeCompletedSeries(hub.app.route, c)));
      const ran = (await queued()).filter((j) => j.studyUid === pan.studyUid || j.studyUid === knee.studyUid);
      const what = (j: (typeof ran)[number]) => j.analyzerId ?? `forward to ${(j as unknown as JobPayloads['study.forward']).destination}`;
      assert.deepEqual(ran.map((j) => [j.studyUid === pan.studyUid ? 'pan' : 'knee', what(j), j.lane]).sort(), [
        ['knee', 'knee-alignment', 'off-peak'],
        ['pan', 'forward to research', 'urgent'],
        ['pan', 'ich', 'urgent'],
        ['pan', 'pneumothorax', 'urgent'],
      ]);
      assert.ok(results.every((r) => r.routed));
    });

    it('a late instance reopens a series: the stale completion is skipped and the amendment is routed once more', async () => {
      const head = writeSynth('trauma-ct-head', tempDir());
      const [brain] = head.series;
      const first = (await completions()).find((c) => c.seriesUid === brain?.seriesUid);
      assert.ok(first);
      const late = writeLateInstance('trauma-ct-head', `${tempDir()}/late.dcm`);
      const target = { host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT_TRAUMA1', calledAeTitle: 'RADBRIDGE' };
      assert.equal((await sendFiles(target, [late])).failures.length, 0);
      const stale = await routeCompletedSeries(hub.app.route, first);
      assert.deepEqual(stale, { routed: false, reason: `series ${brain?.seriesUid} is at generation 2, this completion was 1` });
      await wait(250);
      await hub.sweep();
      const amendment = (await completions()).find((c) => c.seriesUid === brain?.seriesUid && c.generation === 2);
      assert.deepEqual([amendment?.amendment, amendment?.instanceCount], [true, first.instanceCount + 1]);
      assert.ok(amendment);
      await routeCompletedSeries(hub.app.route, amendment);
      await routeCompletedSeries(hub.app.route, amendment);
      const runs = (await queued()).filter((j) => j.seriesUids[0] === brain?.seriesUid);
      assert.deepEqual(runs.map((j) => [j.analyzerId, j.generation, j.amendment]), [['ich', 1, false], ['ich', 2, true]]);
    });

    it('rollout modes: silent by default, per site, each change audited with the old and new mode and the reason', async () => {
      assert.equal(await rolloutModeOf(hub.app.database.db, 'ich', 'north'), 'silent');
      assert.deepEqual(permissionsOf(await rolloutModeOf(hub.app.database.db, 'ich', 'north')), { show: false, reprioritize: false, alert: false });
      const everywhere = await send(hub, 'PUT', '/api/analyzers/ich/mode', { mode: 'assistive', reason: 'validated on 500 studies' });
      assert.deepEqual([everywhere.status, everywhere.body.previous, everywhere.body.site], [200, 'silent', '*']);
      const north = await send(hub, 'PUT', '/api/analyzers/ich/mode', { mode: 'active', site: 'north', reason: 'north signed off' });
      assert.deepEqual([north.status, north.body.previous], [200, 'assistive']);
      assert.equal(await rolloutModeOf(hub.app.database.db, 'ich', 'north'), 'active');
      assert.equal(await rolloutModeOf(hub.app.database.db, 'ich', 'south'), 'assistive');
      assert.equal(await rolloutModeOf(hub.app.database.db, 'pneumothorax', 'north'), 'silent');
      const audit = await auditOf(hub, 'config.rollout-mode-changed');
      assert.deepEqual(audit.map((a) => [a.actor, a.detail]), [
        ['127.0.0.1', { analyzerId: 'ich', site: '*', from: 'silent', to: 'assistive', reason: 'validated on 500 studies' }],
        ['127.0.0.1', { analyzerId: 'ich', site: 'north', from: 'assistive', to: 'active', reason: 'north signed off' }],
      ]);
      const modes = await send(hub, 'GET', '/api/analyzers/modes');
      assert.deepEqual((modes.body.modes as Array<{ site: string; mode: string }>).map((m) => [m.site, m.mode]), [['*', 'assistive'], ['north', 'active']]);
    });

    it('refuses a mode change without a reason, with an unknown mode or for a bad analyzer id', async () => {
      const noReason = await send(hub, 'PUT', '/api/analyzers/ich/mode', { mode: 'active' });
      assert.deepEqual([noReason.status, noReason.body.error], [400, 'REASON_REQUIRED']);
      const unknown = await send(hub, 'PUT', '/api/analyzers/ich/mode', { mode: 'loud', reason: 'why not' });
      assert.deepEqual([unknown.status, unknown.body.error], [400, 'BAD_REQUEST']);
      assert.match(String(unknown.body.message), /unknown rollout mode "loud": use silent, assistive, active/);
      const badId = await send(hub, 'PUT', '/api/analyzers/a%20b/mode', { mode: 'active', reason: 'x' });
      assert.deepEqual([badId.status, badId.body.error], [400, 'BAD_REQUEST']);
      assert.equal((await auditOf(hub, 'config.rollout-mode-changed')).length, 2, 'nothing refused is audited as a change');
      const refusals = await auditOf(hub, 'config.rollout-mode-changed', 'minor-failure');
      assert.deepEqual(refusals.map((a) => [a.detail.analyzerId, a.detail.error]), [['ich', 'REASON_REQUIRED'], ['ich', 'BAD_REQUEST'], ['a b', 'BAD_REQUEST']]);
      assert.equal(await rolloutModeOf(hub.app.database.db, 'ich', '*'), 'assistive');
    });
  });
}
