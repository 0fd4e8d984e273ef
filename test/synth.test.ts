import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import dcmjs from 'dcmjs';
import { decodeInstance } from '../src/imaging/decode-instance.js';
import type { GroundTruth } from '../src/synth/ground-truth.js';
import { synthStudy, type SynthKind } from '../src/synth/synth-study.js';
import type { SynthOptions } from '../src/synth/synth-object.js';
import { COMPRESSIONS, writeStudy } from '../src/synth/write-study.js';
import { dciodvfyErrors } from './support/dicom-dump.js';
import { missingTools, run } from './support/interop.js';
import { tempDir } from './support/test-hub.js';

const small: Omit<SynthOptions, 'seed' | 'normal'> = { matrix: 64, sliceThicknessMm: 20, frames: 6 };

interface Written {
  dir: string;
  files: string[];
  truth: GroundTruth;
}

function generate(kind: SynthKind, o: Partial<SynthOptions> = {}, compression?: (typeof COMPRESSIONS)[number]): Written {
  const dir = tempDir('radbridge-synth-');
  const options: SynthOptions = { seed: 1, normal: false, ...small, ...o };
  const files = writeStudy(synthStudy(kind, options), dir, compression);
  return { dir, files, truth: JSON.parse(readFileSync(path.join(dir, 'ground-truth.json'), 'utf8')) as GroundTruth };
}

function listing(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function attribute(file: string, keyword: string): unknown[] {
  const tag = dcmjs.data.DicomMetaDictionary.nameMap[keyword]?.tag.replace(/[(),]/g, '').toUpperCase() ?? '';
  const buffer = readFileSync(file);
  return dcmjs.data.DicomMessage.readFile(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength)).dict[tag]?.Value ?? [];
}

async function frames(file: string): Promise<{ rows: number; columns: number; samples: number[][] }> {
  const d = await decodeInstance(readFileSync(file));
  return { rows: d.description.rows, columns: d.description.columns, samples: d.frames.map((f) => Array.from(f.samples)) };
}

/** Mean of the (2k+1)² pixels around (col, row). */
function roiMean(samples: number[], columns: number, col: number, row: number, k: number): number {
  let sum = 0;
  let n = 0;
  for (let r = row - k; r <= row + k; r++) {
    for (let c = col - k; c <= col + k; c++) {
      sum += samples[r * columns + c] ?? Number.NaN;
      n++;
    }
  }
  return sum / n;
}

/** HU around a patient-space point in the slice of a CT study nearest to it. */
async function huAt(dir: string, files: string[], p: [number, number, number], k: number): Promise<{ hu: number; instanceNumber: number }> {
  const zs = files.map((f) => Number(attribute(path.join(dir, f), 'ImagePositionPatient')[2]));
  const nearest = zs.reduce((best, z, i) => (Math.abs(z - p[2]) < Math.abs((zs[best] ?? Infinity) - p[2]) ? i : best), 0);
  const file = path.join(dir, files[nearest] ?? '');
  const [x0, y0] = attribute(file, 'ImagePositionPatient').map(Number);
  const [spacing] = attribute(file, 'PixelSpacing').map(Number);
  const { columns, samples } = await frames(file);
  const col = Math.round((p[0] - (x0 ?? 0)) / (spacing ?? 1));
  const row = Math.round((p[1] - (y0 ?? 0)) / (spacing ?? 1));
  return { hu: roiMean(samples[0] ?? [], columns, col, row, k) - 1024, instanceNumber: nearest + 1 };
}

async function dciodvfyErrorsOf(files: string[]): Promise<string[]> {
  const errors: string[] = [];
  for (let i = 0; i < files.length; i += 8) {
    const results = await Promise.all(files.slice(i, i + 8).map(async (f) => (await dciodvfyErrors(f)).map((line) => `${path.basename(f)}: ${line}`)));
    errors.push(...results.flat());
  }
  return errors;
}

const KINDS: SynthKind[] = ['trauma-ct-head', 'trauma-ct-chest', 'trauma-ct-abdomen', 'trauma-ct-panscan', 'xr-knee', 'xr-hip', 'xr-full-leg', 'xr-spine', 'us-fast'];

describe('synthetic studies', () => {
  it('are deterministic: the same seed gives identical bytes, another seed differs', () => {
    for (const kind of ['trauma-ct-head', 'xr-spine', 'us-fast'] as const) {
      const a = listing(generate(kind).dir);
      const b = listing(generate(kind).dir);
      assert.deepEqual([...a.keys()], [...b.keys()]);
      for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name) ?? Buffer.alloc(0)), `${kind}: ${name} differs between runs`);
      const c = listing(generate(kind, { seed: 2 }).dir);
      assert.ok([...a].some(([name, bytes]) => !bytes.equals(c.get(name) ?? Buffer.alloc(0))), `${kind}: seed 2 gives the same files`);
    }
  });

  describe('trauma CT findings are where the ground truth says', () => {
    let abnormal: Written;
    let normal: Written;
    before(() => {
      abnormal = generate('trauma-ct-panscan', { matrix: 128, sliceThicknessMm: 10, seed: 11 });
      normal = generate('trauma-ct-panscan', { matrix: 128, sliceThicknessMm: 10, seed: 11, normal: true });
    });

    it('lists every finding type with side, size, volume and slices', () => {
      assert.deepEqual(abnormal.truth.findings.map((f) => f.type).sort(), ['cortical-break', 'cortical-break', 'cortical-break', 'haemoperitoneum', 'haemothorax', 'intracranial-haemorrhage', 'pelvic-free-fluid', 'pneumothorax']);
      assert.deepEqual(normal.truth.findings, []);
      const ptx = abnormal.truth.findings.find((f) => f.type === 'pneumothorax');
      const htx = abnormal.truth.findings.find((f) => f.type === 'haemothorax');
      assert.notEqual(ptx?.side, htx?.side);
      assert.equal(Math.sign(ptx?.probeMm[0] ?? 0), ptx?.side === 'left' ? 1 : -1, 'patient left is +x');
      for (const f of abnormal.truth.findings) {
        assert.ok(f.volumeMl > 0 && f.sizeMm.every((s) => s > 0), f.id);
        assert.equal(f.locations.length, 1, f.id);
      }
      const ich = abnormal.truth.findings.find((f) => f.type === 'intracranial-haemorrhage');
      const [a, b, c] = (ich?.sizeMm ?? [0, 0, 0]).map((s) => s / 2);
      assert.ok(Math.abs((ich?.volumeMl ?? 0) - (4 / 3) * Math.PI * (a ?? 0) * (b ?? 0) * (c ?? 0) / 1000) / (ich?.volumeMl ?? 1) < 0.25);
    });

    it('decoded pixels hold each finding at its probe with its HU; the normal control does not', async () => {
      const files = abnormal.truth.series[0]?.files ?? [];
      for (const f of abnormal.truth.findings) {
        const wide = f.type === 'intracranial-haemorrhage' || f.type === 'pneumothorax' || f.type === 'haemothorax';
        const found = await huAt(abnormal.dir, files, f.probeMm, wide ? 1 : 0);
        assert.ok(Math.abs(found.hu - f.hu) <= (wide ? 8 : 20), `${f.id}: ${found.hu} HU at the probe, ground truth ${f.hu}`);
        assert.ok(f.locations[0]?.instanceNumbers.includes(found.instanceNumber), `${f.id}: slice ${found.instanceNumber} is listed`);
        const control = await huAt(normal.dir, files, f.probeMm, wide ? 1 : 0);
        assert.ok(Math.abs(control.hu - f.hu) > 20, `${f.id}: the normal control has ${control.hu} HU there`);
        if (f.surroundingHu !== undefined) assert.ok(Math.abs(control.hu - f.surroundingHu) <= 20, `${f.id}: intact bone in the control`);
      }
    });
  });

  it('radiograph landmarks: pixel × spacing = mm, the spacing is in the file, joint spaces and Cobb angle are in the pixels', async () => {
    for (const kind of ['xr-knee', 'xr-hip', 'xr-full-leg', 'xr-spine'] as const) {
      const { dir, truth } = generate(kind, { matrix: 512 });
      const xr = truth.radiographs[0];
      assert.ok(xr);
      const file = path.join(dir, xr.file);
      assert.deepEqual(attribute(file, 'PixelSpacing').map(Number), xr.pixelSpacingMm);
      assert.deepEqual(attribute(file, 'ImagerPixelSpacing').map(Number), xr.pixelSpacingMm);
      const spacing = xr.pixelSpacingMm[0];
      for (const [name, p] of Object.entries(xr.landmarks)) {
        for (const a of [0, 1]) assert.ok(Math.abs((p.pixel[a] ?? 0) * spacing - (p.mm[a] ?? 0)) < spacing / 50, `${kind} ${name}`);
      }
      const { columns, samples } = await frames(file);
      const at = (mm: [number, number]): number => roiMean(samples[0] ?? [], columns, Math.round(mm[0] / spacing), Math.round(mm[1] / spacing), 0);
      if (kind === 'xr-knee') {
        for (const side of ['medial', 'lateral']) {
          const top = xr.landmarks[`${side}FemurBottom`]?.mm ?? [0, 0];
          const bottom = xr.landmarks[`${side}TibiaTop`]?.mm ?? [0, 0];
          assert.ok(Math.abs(bottom[1] - top[1] - (xr.measurements[`${side}JointSpaceWidthMm`] ?? 0)) < 0.01);
          assert.ok(at([top[0], (top[1] + bottom[1]) / 2]) < 900, `${side} joint space is soft tissue`);
          assert.ok(at([top[0], top[1] - 3]) > 1500, `${side} femoral condyle is bone`);
        }
      }
      if (kind === 'xr-spine') {
        const tilts = (xr.endplates ?? []).map((e) => (Math.atan2(-(e.upper[1].pixel[1] - e.upper[0].pixel[1]), e.upper[1].pixel[0] - e.upper[0].pixel[0]) * 180) / Math.PI);
        assert.equal(tilts.length, 17);
        assert.ok(Math.abs(Math.max(...tilts) - Math.min(...tilts) - (xr.cobb?.angleDeg ?? 0)) < 0.5, 'Cobb angle from the endplate pixels');
        assert.ok((xr.cobb?.angleDeg ?? 0) > 5);
      }
    }
  });

  it('MONOCHROME1 radiographs invert the stored values', async () => {
    const m2 = generate('xr-knee');
    const m1 = generate('xr-knee', { monochrome1: true });
    const [a, b] = [await frames(path.join(m2.dir, 'cr-0001.dcm')), await frames(path.join(m1.dir, 'cr-0001.dcm'))];
    assert.deepEqual(attribute(path.join(m1.dir, 'cr-0001.dcm'), 'PhotometricInterpretation'), ['MONOCHROME1']);
    assert.deepEqual(b.samples[0], a.samples[0]?.map((v) => 4095 - v));
  });

  it('the FAST cine has the stated frames, and the anechoic stripe only in the stated frames', async () => {
    const withFluid = generate('us-fast', { matrix: 128, frames: 10, seed: 4 });
    const stripe = withFluid.truth.ultrasound[0]?.stripe;
    assert.ok(stripe);
    assert.ok(Math.abs(stripe.centre.pixel[1] * (withFluid.truth.ultrasound[0]?.pixelSpacingMm[0] ?? 0) - stripe.centre.mm[1]) < 0.01);
    for (const { dir, truth } of [withFluid, generate('us-fast', { matrix: 128, frames: 10, seed: 4, normal: true })]) {
      const us = truth.ultrasound[0];
      assert.ok(us);
      const file = path.join(dir, us.file);
      assert.deepEqual(attribute(file, 'NumberOfFrames').map(Number), [10]);
      assert.deepEqual(attribute(file, 'FrameTime').map(Number), [us.frameTimeMs]);
      const { columns, samples } = await frames(file);
      assert.equal(samples.length, us.numberOfFrames);
      assert.equal(us.stripeFrames.length > 0, us.freeFluid);
      samples.forEach((s, f) => {
        const mean = roiMean(s, columns, Math.round(stripe.centre.pixel[0]), Math.round(stripe.centre.pixel[1]), 1);
        if (us.stripeFrames.includes(f + 1)) assert.ok(mean < 20, `frame ${f + 1}: stripe mean ${mean}`);
        else assert.ok(mean > 60, `frame ${f + 1}: no stripe, mean ${mean}`);
      });
    }
  });

  describe('with DICOM tools', { skip: missingTools('dciodvfy', 'dcmcjpeg', 'dcmcjpls', 'dcmcrle') }, () => {
    it('every object of every kind passes dciodvfy without errors', async () => {
      for (const kind of KINDS) {
        const { files } = generate(kind);
        assert.deepEqual(await dciodvfyErrorsOf(files), [], kind);
      }
      assert.deepEqual(await dciodvfyErrorsOf(generate('us-fast', { normal: true }).files), []);
      assert.deepEqual(await dciodvfyErrorsOf(generate('xr-hip', { monochrome1: true }).files), []);
    });

    for (const compression of COMPRESSIONS) {
      it(`${compression}: decodes to the same pixels as the uncompressed study and validates`, async () => {
        for (const kind of ['trauma-ct-head', 'xr-knee', 'us-fast'] as const) {
          const plain = generate(kind, { sliceThicknessMm: 50 });
          const packed = generate(kind, { sliceThicknessMm: 50 }, compression);
          assert.equal(packed.truth.series[0]?.files.length, plain.truth.series[0]?.files.length);
          for (const [i, file] of packed.files.entries()) {
            assert.notEqual(attribute(file, 'SOPInstanceUID')[0], undefined);
            assert.deepEqual((await frames(file)).samples, (await frames(plain.files[i] ?? '')).samples, `${kind} ${path.basename(file)}`);
          }
          assert.deepEqual(await dciodvfyErrorsOf(packed.files), [], `${kind} ${compression}`);
        }
      });
    }

    it('the CLI writes the same bytes as the library for the same options', async () => {
      const out = tempDir('radbridge-synth-cli-');
      const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/radbridge.ts', 'synth', 'us-fast', '--out', out, '--matrix', '64', '--frames', '6', '--seed', '1', '--thickness', '20']);
      assert.equal(r.code, 0, r.stderr);
      const api = listing(generate('us-fast').dir);
      const cli = listing(out);
      assert.deepEqual([...cli.keys()].sort(), [...api.keys()].sort());
      for (const [name, bytes] of api) assert.ok(bytes.equals(cli.get(name) ?? Buffer.alloc(0)), name);
      const bad = await run(process.execPath, ['--import', 'tsx', 'src/cli/radbridge.ts', 'synth', 'xr-knee', '--out', out, '--compress', 'jpeg2000']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--compress must be one of/);
    });
  });
});
