import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import dcmjs from 'dcmjs';
import { createAnalyzer } from '../src/analyze/builtin/abdomen-ct.js';
import { applicabilityOf } from '../src/analyze/applicability.js';
import type { Finding } from '../src/domain/finding.js';
import { maskVolumetry } from '../src/imaging/mask-volumetry.js';
import { analysisInputOf } from './support/analysis-input.js';
import { fluidTruths, writeAbdomen } from './support/abdomen-ct.js';
import { tempDir } from './support/test-hub.js';

/** The abdomen reference analyzer on synthetic CTs with known free fluid, and on normal controls. */

const dir = tempDir('radbridge-abdomen-');
after(() => rmSync(dir, { recursive: true, force: true }));
const analyzer = createAnalyzer();
const signal = new AbortController().signal;

function sopUids(files: string[]): string[] {
  return files.map((f) => {
    const b = readFileSync(f);
    return String(dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength), { untilTag: '7FE00010' }).dict['00080018']?.Value?.[0]);
  });
}

async function analyze(kind: 'trauma-ct-abdomen' | 'trauma-ct-panscan', seed: number, normal = false) {
  const written = writeAbdomen(kind, path.join(dir, `${kind}-${seed}-${normal}`), seed, normal);
  const input = analysisInputOf(written.truth.studyInstanceUid, [{ seriesUid: written.seriesUid, modality: 'CT', files: written.files, sopInstanceUids: sopUids(written.files) }]);
  assert.equal(applicabilityOf(analyzer, input).applicable, true, JSON.stringify(applicabilityOf(analyzer, input).reasons));
  return { ...written, findings: (await analyzer.analyze(input, signal)).findings };
}

const nearest = (findings: Finding[], centre: [number, number, number]) =>
  [...findings].sort((a, b) => dist(a.location?.point, centre) - dist(b.location?.point, centre))[0];
const dist = (p: [number, number, number] | undefined, q: [number, number, number]) => (p ? Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) : Infinity);

describe('abdomen CT: free fluid by density', () => {
  for (const [kind, seed] of [['trauma-ct-abdomen', 1], ['trauma-ct-abdomen', 2], ['trauma-ct-panscan', 3]] as const) {
    it(`${kind} seed ${seed}: each fluid collection within 10% of its volume, on its side, and nothing else`, async () => {
      const { truth, findings, seriesUid } = await analyze(kind, seed);
      const truths = fluidTruths(truth);
      assert.equal(findings.length, truths.length, JSON.stringify(findings.map((f) => [f.type.meaning, f.measurements[0]?.value, f.location?.point])));
      for (const t of truths) {
        assert.ok(t.volumeMl >= 5);
        const f = nearest(findings, t.centreMm);
        const ml = f?.measurements[0]?.value ?? 0;
        assert.ok(Math.abs(ml - t.volumeMl) <= 0.1 * t.volumeMl, `${t.type}: ${ml} mL found, ${t.volumeMl} mL true`);
        assert.equal(f?.laterality, t.side, t.type);
        assert.deepEqual(f?.type, { scheme: 'SCT', value: '45626005', meaning: 'Hemoperitoneum' }, `${t.type} at ${t.hu} HU reads as blood`);
        assert.equal(f?.site?.value, '83670000');
        assert.equal(f?.mask?.seriesUid, seriesUid);
        assert.ok(Math.abs(maskVolumetry(f?.mask ?? { seriesUid, dimensions: [1, 1, 1], affine: [], runs: [] }).volumeMl - ml) < 0.1, 'the mask holds the volume');
        assert.ok((f?.location?.images.length ?? 0) > 0);
        assert.ok(dist(f?.location?.point, t.centreMm) < 15, `${t.type} centroid ${f?.location?.point?.join(',')} vs ${t.centreMm.join(',')}`);
      }
    });
  }
  for (const [kind, seed] of [['trauma-ct-abdomen', 5], ['trauma-ct-panscan', 6]] as const) {
    it(`${kind} seed ${seed} normal control: no finding`, async () => {
      const { findings } = await analyze(kind, seed, true);
      assert.deepEqual(findings, []);
    });
  }
  it('is a reference method, not cleared for clinical use, and refuses a head CT with the reason', () => {
    assert.match(analyzer.description.intendedUse, /reference method, not cleared for clinical use/);
    const written = writeAbdomen('trauma-ct-head', path.join(dir, 'head'), 1, true);
    const input = analysisInputOf(written.truth.studyInstanceUid, [{ seriesUid: written.seriesUid, modality: 'CT', files: written.files, sopInstanceUids: sopUids(written.files) }]);
    const verdict = applicabilityOf(analyzer, input);
    assert.equal(verdict.applicable, false);
    assert.match(verdict.reasons.join(' '), /not abdomen or pelvis or whole-body/);
  });
});
