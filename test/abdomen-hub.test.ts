import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { listAnalysisResults } from '../src/store/analysis-results.js';
import { fluidTruths, writeAbdomen } from './support/abdomen-ct.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';
import { writeSynth } from './support/trauma-study.js';

/** The abdomen analyzer through the hub (registered, approved, routed, run in a worker), and the volumetry endpoint on the stored series. */

const MODULE = new URL('../src/analyze/builtin/abdomen-ct.ts', import.meta.url).href;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('abdomen CT analyzer and volumetry in the hub', () => {
  const dir = tempDir('radbridge-abdomen-hub-');
  const ct = writeAbdomen('trauma-ct-abdomen', path.join(dir, 'ct'), 8);
  const knee = writeSynth('xr-knee', path.join(dir, 'knee'));
  let hub: TestHub;
  const send = async (method: string, url: string, body: unknown) => {
    const r = await fetch(`${hub.url}${url}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const volumetry = (series: string, body: unknown, study = ct.truth.studyInstanceUid) => send('POST', `/api/studies/${study}/series/${series}/volumetry`, body);

  before(async () => {
    hub = await startTestHub({ completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 }, analyzers: [{ url: MODULE }] });
    const approved = await send('PUT', '/api/analyzers/abdomen-ct/versions/1.0.0/approval', { approval: 'approved', reason: 'validated on synthetic studies' });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const rules = { version: 1, rules: [{ id: 'abdomen', when: { attribute: 'Modality', equals: 'CT' }, actions: [{ run: { analyzers: ['abdomen-ct'] } }] }] };
    assert.equal((await send('PUT', '/api/rules', { document: rules, reason: 'abdomen drill' })).status, 201);
    const target = { host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT1', calledAeTitle: 'RADBRIDGE' };
    assert.deepEqual((await sendFiles(target, ct.files)).failures, []);
    assert.deepEqual((await sendFiles(target, knee.series.flatMap((s) => s.files))).failures, []);
  });
  after(() => hub.stop());

  it('finds the haemoperitoneum and the pelvic fluid with their volumes and sides', async () => {
    await wait(250);
    await hub.sweep();
    let results = await listAnalysisResults(hub.app.database.db, ct.truth.studyInstanceUid);
    for (const end = Date.now() + 120_000; results.length < 1 && Date.now() < end; await wait(200)) results = await listAnalysisResults(hub.app.database.db, ct.truth.studyInstanceUid);
    assert.equal(results.length, 1);
    const findings = results[0]?.findings ?? [];
    const truths = fluidTruths(ct.truth);
    assert.equal(findings.length, truths.length);
    for (const t of truths) {
      const f = findings.find((x) => x.laterality === t.side);
      const ml = f?.measurements[0]?.value ?? 0;
      assert.ok(Math.abs(ml - t.volumeMl) <= 0.1 * t.volumeMl, `${t.type}: ${ml} mL found, ${t.volumeMl} mL true`);
      assert.equal(f?.source.id, 'abdomen-ct');
    }
  });

  it('measures a stored series by region growing and audits the read', async () => {
    const t = fluidTruths(ct.truth).find((f) => f.type === 'haemoperitoneum');
    const r = await volumetry(ct.seriesUid, { seed: t?.probeMm, huRange: [0, 80] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const ml = Number(r.body.volumeMl);
    assert.ok(Math.abs(ml - (t?.volumeMl ?? 0)) <= 0.1 * (t?.volumeMl ?? 0), `${ml} mL`);
    const audited = await hub.app.database.db.selectFrom('audit_log').select(['outcome', 'study_uid']).where('event_type', '=', 'volumetry.read').execute();
    assert.deepEqual(audited.map((a) => a.outcome), ['success']);
  });

  it('refuses each bad request with its status and code', async () => {
    const outside = await volumetry(ct.seriesUid, { seed: [0, 0, 500], huRange: [0, 80] });
    assert.deepEqual([outside.status, outside.body.error], [400, 'BAD_REQUEST']);
    assert.match(String(outside.body.message), /outside the volume/);
    const empty = await volumetry(ct.seriesUid, { seed: [0, 0, -700], huRange: [70, 10], maxMl: -1 });
    assert.deepEqual([empty.status, empty.body.error], [400, 'BAD_REQUEST']);
    assert.equal((empty.body.issues as string[]).length, 2, JSON.stringify(empty.body.issues));
    assert.match(String(empty.body.message), /HU range \[70, 10\] is empty/);
    const unknown = await volumetry('1.2.3.999', { seed: [0, 0, -700], huRange: [0, 80] });
    assert.deepEqual([unknown.status, unknown.body.error], [404, 'NOT_FOUND']);
    const radiograph = await volumetry(knee.series[0]?.seriesUid ?? '', { seed: [0, 0, 0], huRange: [0, 80] }, knee.studyUid);
    assert.deepEqual([radiograph.status, radiograph.body.error], [422, 'SERIES_NOT_A_VOLUME'], JSON.stringify(radiograph.body));
    const audited = await hub.app.database.db.selectFrom('audit_log').select('outcome').where('event_type', '=', 'volumetry.read').where('outcome', '=', 'minor-failure').execute();
    assert.equal(audited.length, 4);
  });
});
