import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { FREE_FLUID } from '../src/domain/trauma-codes.js';
import type { StudyInjuries } from '../src/domain/study-injuries.js';
import { listAnalysisResults } from '../src/store/analysis-results.js';
import { synthStudy } from '../src/synth/synth-study.js';
import { writeStudy } from '../src/synth/write-study.js';
import { anechoicFractionModel, anechoicFractions } from './support/fast-models.js';
import { scratchDir, writeManifest } from './support/model-manifests.js';
import { startTestHub, type TestHub } from './support/test-hub.js';

/**
 * The FAST free-fluid slot end to end: a tiny ONNX model with a known score (the fraction of
 * anechoic pixels per frame) plugged in through a manifest, registered, approved, shown (assistive),
 * routed by FAST window, run on the synthetic FAST cine loop sent by C-STORE; the injury summary
 * carries the free fluid, its criticality and its AIS as provisional until a person confirms it.
 */

const SLOT = new URL('../src/analyze/builtin/fast-free-fluid.ts', import.meta.url).href;
const AIS_EXAMPLE = new URL('../docs/ais-mapping-example.yaml', import.meta.url).pathname;
const BELOW = 20;
const THRESHOLD = 0.02;
const MATRIX = 64;
const FRAMES = 12;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fastStudy(dir: string, seed: number, normal: boolean) {
  const study = synthStudy('us-fast', { seed, matrix: MATRIX, normal, sliceThicknessMm: 40, frames: FRAMES });
  const files = writeStudy(study, dir).map((f) => (path.isAbsolute(f) ? f : path.join(dir, f)));
  const dataset = study.objects[0]?.dataset ?? {};
  const pixels = new Uint8Array((dataset.PixelData as ArrayBuffer[])[0] ?? new ArrayBuffer(0));
  return { studyUid: String(dataset.StudyInstanceUID), files, truth: study.groundTruth.ultrasound[0], scores: anechoicFractions(pixels, MATRIX * MATRIX, FRAMES, BELOW) };
}

describe('the FAST free-fluid slot in the hub', () => {
  const dir = scratchDir('radbridge-fast-');
  const withFluid = fastStudy(path.join(dir, 'fluid'), 7, false);
  const normal = fastStudy(path.join(dir, 'normal'), 8, true);
  let hub: TestHub;
  const send = async (method: string, url: string, body?: unknown) => {
    const r = await fetch(`${hub.url}${url}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const injuriesOf = async (studyUid: string) => (await send('GET', `/api/studies/${studyUid}/injuries`)).body as unknown as StudyInjuries;

  before(async () => {
    const manifest = writeManifest(dir, 'fast-anechoic', {
      intendedUse: 'Tests only: scores the anechoic fraction of each frame',
      inputs: { modalities: ['US'] },
      preprocessing: { layout: { kind: 'slice', batch: 4 } },
      outputs: [{ kind: 'classification', name: 'fluid', labels: [{ index: 0, type: FREE_FLUID, threshold: THRESHOLD }] }],
    }, anechoicFractionModel(BELOW));
    hub = await startTestHub({ completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 }, analyzers: [{ url: SLOT, options: { manifest } }], triage: { aisMappingFile: AIS_EXAMPLE } });
    assert.equal((await send('PUT', '/api/analyzers/fast-anechoic/versions/1.0.0/approval', { approval: 'approved', reason: 'validated on synthetic FAST' })).status, 200);
    assert.equal((await send('PUT', '/api/analyzers/fast-anechoic/mode', { mode: 'assistive', reason: 'shown to the trauma radiologist' })).status, 200);
    const rules = {
      version: 1,
      rules: [{
        id: 'fast-windows',
        when: { all: [{ attribute: 'Modality', equals: 'US' }, { classification: 'ultrasound.kind', equals: 'cine' }, { classification: 'ultrasound.fastWindow', in: ['right-upper-quadrant', 'left-upper-quadrant', 'pelvis', 'pericardial'] }] },
        actions: [{ run: { analyzers: ['fast-anechoic'] } }],
      }],
    };
    assert.equal((await send('PUT', '/api/rules', { document: rules, reason: 'FAST slot' })).status, 201);
    const sent = await sendFiles({ host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'US1', calledAeTitle: 'RADBRIDGE' }, [...withFluid.files, ...normal.files]);
    assert.deepEqual(sent.failures, []);
    await wait(250);
    await hub.sweep();
    for (const end = Date.now() + 60_000; Date.now() < end; await wait(100)) {
      const done = await Promise.all([withFluid, normal].map(async (s) => (await listAnalysisResults(hub.app.database.db, s.studyUid)).length));
      if (done.every((n) => n > 0)) break;
    }
  });
  after(async () => {
    await hub.stop();
  });

  it('reports free fluid in the RUQ window on exactly the frames whose model score reaches the threshold, which are the stripe frames', async () => {
    const [stored] = await listAnalysisResults(hub.app.database.db, withFluid.studyUid);
    const [f] = stored?.findings ?? [];
    const expectedFrames = withFluid.scores.flatMap((s, n) => (s >= THRESHOLD ? [n + 1] : []));
    assert.deepEqual(expectedFrames, withFluid.truth?.stripeFrames);
    assert.equal(f?.presence, 'present');
    assert.equal(f?.site?.value, 'fast-ruq');
    assert.deepEqual(f?.location?.images.map((i) => i.frame), expectedFrames);
    assert.ok(Math.abs((f?.confidence ?? 0) - Math.max(...withFluid.scores)) < 1e-6, `confidence ${f?.confidence} vs ${Math.max(...withFluid.scores)}`);
    const shown = await send('GET', `/api/studies/${withFluid.studyUid}/results`);
    assert.deepEqual((shown.body.results as Array<{ analyzerId: string; mode: string }>).map((r) => [r.analyzerId, r.mode]), [['fast-anechoic', 'assistive']]);
  });

  it('reports no free fluid on the normal loop, pointing at its best frame', async () => {
    const [stored] = await listAnalysisResults(hub.app.database.db, normal.studyUid);
    const [f] = stored?.findings ?? [];
    assert.equal(f?.presence, 'absent');
    const best = normal.scores.indexOf(Math.max(...normal.scores)) + 1;
    assert.deepEqual(f?.location?.images.map((i) => i.frame), [best]);
    const summary = await injuriesOf(normal.studyUid);
    assert.deepEqual([summary.injuries.length, summary.criticality.level], [0, 'routine']);
  });

  it('summarises the injury as urgent with a provisional AIS, and a confirmation is stored, audited and counted', async () => {
    const summary = await injuriesOf(withFluid.studyUid);
    assert.equal(summary.injuries.length, 1);
    const [injury] = summary.injuries;
    assert.ok(injury);
    assert.deepEqual(summary.criticality.reasons.map((r) => [r.level, r.reason]), [['urgent', 'free fluid present']]);
    assert.equal(summary.criticality.level, 'urgent');
    assert.deepEqual([injury.ais?.status, injury.ais?.severity, injury.ais?.region], ['provisional', 9, 'abdomen']);
    assert.deepEqual([summary.severity.all.iss, summary.severity.all.unscored], [0, 1]);
    const put = await send('PUT', `/api/studies/${withFluid.studyUid}/injuries/${injury.id}/ais`, { confirmed: true, severity: 3, reason: 'haemoperitoneum on CT', by: 'dr trauma' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const after = put.body as unknown as StudyInjuries;
    assert.deepEqual([after.injuries[0]?.ais?.status, after.injuries[0]?.ais?.severity, after.severity.confirmed.iss, after.severity.all.iss], ['confirmed', 3, 9, 9]);
    const audit = await hub.app.database.db.selectFrom('audit_log').select(['event_type', 'actor', 'detail']).where('study_uid', '=', withFluid.studyUid).execute();
    const decided = audit.find((a) => a.event_type === 'injury.ais-decided');
    assert.equal(decided?.actor, 'dr trauma');
    assert.match(decided?.detail ?? '', /haemoperitoneum on CT/);
    assert.ok(audit.some((a) => a.event_type === 'injuries.read'));
  });

  it('refuses bad requests with a clear error', async () => {
    const id = (await injuriesOf(withFluid.studyUid)).injuries[0]?.id ?? '';
    const uid = withFluid.studyUid;
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['GET', '/api/studies/not-a-uid/injuries', undefined, 400, /not a Study Instance UID/],
      ['PUT', `/api/studies/${uid}/injuries/xyz/ais`, { confirmed: true, reason: 'r', by: 'a' }, 400, /not an injury id/],
      ['PUT', `/api/studies/${uid}/injuries/0123456789abcdef/ais`, { confirmed: true, reason: 'r', by: 'a' }, 404, /no injury/],
      ['PUT', `/api/studies/${uid}/injuries/${id}/ais`, { confirmed: true, by: 'a' }, 400, /reason/],
      ['PUT', `/api/studies/${uid}/injuries/${id}/ais`, { confirmed: false, severity: 2, reason: 'r', by: 'a' }, 400, /severity is given only when confirming/],
      ['PUT', `/api/studies/${uid}/injuries/${id}/ais`, { confirmed: true, severity: 7, reason: 'r', by: 'a' }, 400, /AIS severity 1..6/],
      ['PUT', `/api/studies/${uid}/injuries/${id}/ais`, { confirmed: true, reason: 'r' }, 400, /by names the person/],
    ];
    for (const [method, url, body, status, message] of cases) {
      const r = await send(method, url, body);
      assert.equal(r.status, status, `${method} ${url} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.match(JSON.stringify(r.body), message);
    }
  });
});
