import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ImagePlane } from '../src/analyze/import/image-planes.js';
import { readResultObject } from '../src/analyze/import/result-object-reader.js';
import type { Finding } from '../src/domain/finding.js';
import { dciodvfyErrors, writeWithDump2dcm } from './support/dicom-dump.js';
import { missingTools } from './support/interop.js';
import { gspsElements, segElements, type FixtureUids, type GspsAnnotation, type SegSpec } from './support/seg-gsps-fixtures.js';
import { tempDir } from './support/test-hub.js';

const skip = missingTools('dump2dcm', 'dciodvfy');
const root = '1.2.826.0.1.3680043.10.999.3';
const imageSeriesUid = `${root}.2`;
const imageUids = [1, 2, 3].map((n) => `${root}.2.${n}`);
const uids = (n: number): FixtureUids => ({ studyUid: `${root}.1`, seriesUid: `${root}.9.${n}`, instanceUid: `${root}.9.${n}.1`, frameOfReferenceUid: `${root}.5`, imageSeriesUid, imageUids });
/** The CT series: three axial 0.5 mm slices at z = 10, 12, 14, first pixel centre at (-1, -1). */
const planes = new Map<string, ImagePlane>(
  imageUids.map((uid, k) => [uid, { seriesUid: imageSeriesUid, geometry: { imagePositionPatient: [-1, -1, 10 + 2 * k], imageOrientationPatient: [1, 0, 0, 0, 1, 0], pixelSpacing: [0.5, 0.5] } }]),
);
const importer = { id: 'third-party-results', version: '1.0.0' };
const context = (p: Map<string, ImagePlane> = planes) => ({ inputHash: 'hash-of-input', importer, planes: p });
const affine = [0.5, 0, 0, -1, 0, 0.5, 0, -1, 0, 0, 2, 10, 0, 0, 0, 1];
const close = (actual: number | undefined, expected: number) => assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

describe('third-party SEG and GSPS read into findings', { skip }, () => {
  let dir: string;
  before(() => {
    dir = tempDir('radbridge-seg-');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const writeSeg = async (n: number, spec: SegSpec) => {
    const file = path.join(dir, `seg-${n}.dcm`);
    await writeWithDump2dcm(segElements(uids(n), spec), file);
    return file;
  };
  const writeGsps = async (n: number, annotations: GspsAnnotation[]) => {
    const file = path.join(dir, `gsps-${n}.dcm`);
    await writeWithDump2dcm(gspsElements(uids(n), annotations), file);
    return file;
  };
  /** Binary, 4 x 4: segment 1 on slices 0 and 1, segment 2 on slice 1; bits packed across frames. */
  const binary: SegSpec = { type: 'BINARY', rows: 4, columns: 4, frames: [{ segment: 1, slice: 0 }, { segment: 1, slice: 1 }, { segment: 2, slice: 1 }], pixelHex: '06\\00\\20\\00\\0f\\00' };

  it('reads a binary SEG: one finding per segment with codes, runs on the CT grid, volume, box and device', async () => {
    const file = await writeSeg(1, binary);
    assert.deepEqual(await dciodvfyErrors(file), []);
    const { findings, notes } = await readResultObject(readFileSync(file), context());
    assert.deepEqual(notes, []);
    const [haemorrhage, oedema] = findings as [Finding, Finding];
    assert.equal(findings.length, 2);
    assert.deepEqual(haemorrhage.type, { scheme: 'SCT', value: '50960005', meaning: 'Hemorrhage' });
    assert.deepEqual([haemorrhage.presence, haemorrhage.site?.value, haemorrhage.laterality], ['present', '12738006', 'right']);
    assert.deepEqual(haemorrhage.mask, { seriesUid: imageSeriesUid, dimensions: [4, 4, 3], affine, runs: [1, 2, 18, 1] });
    assert.equal(haemorrhage.measurements.length, 1);
    const [volume] = haemorrhage.measurements;
    assert.deepEqual([volume?.concept.value, volume?.unit.value, volume?.method], ['118565006', 'mL', 'voxel count']);
    close(volume?.value, (3 * 0.5 * 0.5 * 2) / 1000);
    assert.deepEqual(haemorrhage.location, {
      images: [imageUids[0], imageUids[1]].map((sopInstanceUid) => ({ seriesUid: imageSeriesUid, sopInstanceUid })),
      box: [[-0.5, -1, 10], [0, -0.5, 12]],
    });
    assert.deepEqual(haemorrhage.source, { id: 'HaemoSeg', version: '3.4', manufacturer: 'Acme Imaging AI', inputHash: 'hash-of-input' });
    assert.deepEqual(oedema.type, { scheme: 'SCT', value: '79654002', meaning: 'Edema' }, 'retired SRT is read as SCT');
    assert.equal(oedema.site, undefined);
    assert.deepEqual(oedema.mask?.runs, [16, 4]);
    close(oedema.measurements[0]?.value, (4 * 0.5 * 0.5 * 2) / 1000);
  });

  it('places the frames by their own positions when the CT series is not at hand', async () => {
    const file = await writeSeg(2, binary);
    const { findings } = await readResultObject(readFileSync(file), context(new Map()));
    assert.deepEqual(findings[0]?.mask?.dimensions, [4, 4, 2]);
    assert.deepEqual(findings[0]?.mask?.runs, [1, 2, 18, 1]);
  });

  it('thresholds a fractional SEG at half the maximum value; a segment without frames is absent', async () => {
    const file = await writeSeg(3, { type: 'FRACTIONAL', rows: 2, columns: 2, frames: [{ segment: 1, slice: 2 }], pixelHex: '00\\7f\\80\\ff' });
    assert.deepEqual(await dciodvfyErrors(file), []);
    const { findings, notes } = await readResultObject(readFileSync(file), context());
    assert.deepEqual(findings.map((f) => f.presence), ['present', 'absent']);
    assert.deepEqual(findings[0]?.mask?.runs, [8 + 2, 2], '127 of 255 is below half, 128 is not');
    close(findings[0]?.measurements[0]?.value, (2 * 0.5 * 0.5 * 2) / 1000);
    assert.deepEqual(findings[1]?.mask?.runs, []);
    assert.deepEqual(notes, ['segment 2 sets no voxel: read as absent']);
  });

  it('refuses a SEG whose frame count does not match the frames it describes', async () => {
    const file = await writeSeg(4, { ...binary, declaredFrames: 4, pixelHex: '06\\00\\20\\00\\0f\\00\\00\\00' });
    await assert.rejects(readResultObject(readFileSync(file), context()), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'DICOM_MALFORMED');
      assert.match(err.message, /declares 4 frame\(s\) \(Number of Frames\) but describes 3 in its Per-Frame Functional Groups Sequence/);
      return true;
    });
  });

  it('reads GSPS annotations: coded graphics as present findings, bare text as indeterminate, both localized', async () => {
    const file = await writeGsps(5, [
      { image: 0, text: { value: 'Fracture', anchor: [40, 50] }, graphic: { type: 'POLYLINE', data: [10, 20, 30, 40], code: ['72704001', 'SCT', 'Fracture'] } },
      { image: 1, text: { value: 'Possible rib fracture', anchor: [100.5, 200.5] } },
    ]);
    assert.deepEqual(await dciodvfyErrors(file), []);
    const { findings, notes } = await readResultObject(readFileSync(file), context());
    assert.deepEqual(notes, []);
    const source = { id: 'FractureMarker', version: '1.2', manufacturer: 'Acme Imaging AI', inputHash: 'hash-of-input' };
    assert.deepEqual(findings, [
      {
        type: { scheme: 'SCT', value: '72704001', meaning: 'Fracture' },
        presence: 'present',
        measurements: [],
        location: { images: [{ seriesUid: imageSeriesUid, sopInstanceUid: imageUids[0] }], box: [[3.75, 8.75, 10], [18.75, 23.75, 10]] },
        source,
      },
      {
        type: { scheme: '99RADBRIDGE', value: 'annotation-text', meaning: 'Possible rib fracture' },
        presence: 'indeterminate',
        measurements: [],
        location: { images: [{ seriesUid: imageSeriesUid, sopInstanceUid: imageUids[1] }], point: [49, 99, 12] },
        source,
      },
    ]);
  });

  it('gives no finding for a GSPS without graphic annotations, and says why', async () => {
    const file = await writeGsps(6, []);
    const { findings, notes } = await readResultObject(readFileSync(file), context());
    assert.deepEqual(findings, []);
    assert.deepEqual(notes, ['the presentation state has no graphic annotations (Graphic Annotation Sequence (0070,0001) is absent or empty)']);
  });
});
