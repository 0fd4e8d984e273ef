import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RadbridgeError } from '../src/domain/errors.js';
import type { JsonDict } from '../src/imaging/pixel-description.js';
import { projectionPixelSpacing } from '../src/imaging/projection-spacing.js';
import { orderSlices, type SliceGeometryInput, type Vec3 } from '../src/imaging/slice-geometry.js';
import { resampleVolume } from '../src/imaging/volume-resampling.js';
import { buildVolume, patientToVoxel, voxelToPatient, type BuiltVolume, type Volume } from '../src/imaging/volume.js';
import { applyWindow, windowSlice } from '../src/imaging/windowing.js';
import { seriesVolumeSource } from '../src/store/series-volume-source.js';
import { stow } from './support/stow-client.js';
import { uidFrom, writeCtSeries } from './support/synthetic-ct.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';

const dir = tempDir();
const COLUMNS = 6;
const ROWS = 4;
const AXIAL = ['1', '0', '0', '0', '1', '0'];

interface SliceSpec {
  position: Vec3;
  instanceNumber: number;
  /** Stored value of every pixel, or of pixel p: value + p. */
  stored: number;
  ramp?: boolean;
  extra?: Record<string, unknown>;
}

/** Writes slices of one series, each its own file with its own position and Instance Number. */
function writeSlices(name: string, specs: SliceSpec[], shared: Record<string, unknown> = {}): string[] {
  const studyUid = uidFrom(`${name}/study`);
  return specs.map((s, n) => {
    const pixels = Uint16Array.from({ length: ROWS * COLUMNS }, (_v, p) => s.stored + (s.ramp ? p : 0));
    const [file] = writeCtSeries({
      dir: path.join(dir, name, String(n)),
      count: 1,
      seed: `${name}/${n}`,
      rows: ROWS,
      columns: COLUMNS,
      studyUid,
      extra: {
        SeriesInstanceUID: uidFrom(`${name}/series`),
        FrameOfReferenceUID: uidFrom(`${name}/for`),
        InstanceNumber: String(s.instanceNumber),
        ImagePositionPatient: s.position.map(String),
        PixelData: [pixels.buffer],
        ...shared,
        ...s.extra,
      },
    }).files;
    return file as string;
  });
}

async function* readEach(files: string[]): AsyncGenerator<Uint8Array> {
  for (const f of files) yield await readFile(f);
}

const build = (files: string[]): Promise<BuiltVolume> => buildVolume({ count: files.length, files: readEach(files) });
const voxel = (v: Volume, i: number, j: number, k: number): number => v.voxels[i + v.dims[0] * (j + v.dims[1] * k)] ?? Number.NaN;
const geometry = (z: number, iop: readonly number[] = [1, 0, 0, 0, 1, 0]): SliceGeometryInput => ({
  imagePositionPatient: [0, 0, z],
  imageOrientationPatient: iop as SliceGeometryInput['imageOrientationPatient'],
  pixelSpacing: [0.7, 0.7],
});

function assertClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-6, what = ''): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, n) => assert.ok(Math.abs(a - (expected[n] ?? Number.NaN)) <= tolerance, `${what} [${actual.join(', ')}] vs [${expected.join(', ')}]`));
}

/** Six slices 2.5 mm apart (z = -5 ... 7.5), written in shuffled order with Instance Number running the wrong way. */
const shuffled = [3, 0, 5, 1, 4, 2];
const orderedSpecs = (name: string) =>
  writeSlices(
    name,
    shuffled.map((z) => ({ position: [0, 0, -5 + 2.5 * z] as Vec3, instanceNumber: 6 - z, stored: 1024 + 100 * z, ramp: true })),
    { SliceThickness: '5.0', RescaleIntercept: '-1024', RescaleSlope: '1' },
  );

describe('volumes', () => {
  it('orders slices by position along the normal, not by Instance Number or arrival, and takes the spacing from positions', async () => {
    const { volume, geometry: g } = await build(orderedSpecs('ordered'));
    assert.deepEqual(g.order, [1, 3, 5, 0, 4, 2]);
    assertClose(g.positionsMm, [-5, -2.5, 0, 2.5, 5, 7.5]);
    assert.equal(g.spacingMm, 2.5, 'spacing from positions, not SliceThickness 5.0');
    assert.deepEqual(volume.dims, [COLUMNS, ROWS, 6]);
    assertClose(volume.spacing, [0.7, 0.7, 2.5]);
    for (let k = 0; k < 6; k++) assert.equal(voxel(volume, 2, 1, k), 100 * k + 2 + COLUMNS, `slice ${k}`);
    assert.deepEqual(g.gaps, []);
    assert.deepEqual(g.duplicates, []);
    assert.equal(g.tilt, undefined);
    assert.equal(g.oblique, false);
  });

  it('applies Rescale Slope and Intercept: stored 1024 with intercept -1024 is 0 HU', async () => {
    const [plain] = writeSlices('rescale', [{ position: [0, 0, 0], instanceNumber: 1, stored: 1024 }], { RescaleIntercept: '-1024', RescaleSlope: '1' });
    const [scaled] = writeSlices('rescale-slope', [{ position: [0, 0, 1], instanceNumber: 2, stored: 600 }], { RescaleIntercept: '-1000', RescaleSlope: '2' });
    const { volume } = await build([plain as string, scaled as string]);
    assert.equal(voxel(volume, 0, 0, 0), 0);
    assert.equal(voxel(volume, 5, 3, 1), 200);
  });

  it('reports a gap with the step that makes it', () => {
    const g = orderSlices([0, 1, 2, 3, 5, 6].map((z) => geometry(z)));
    assert.equal(g.spacingMm, 1);
    assert.deepEqual(g.gaps, [{ afterSlice: 3, stepMm: 2 }]);
  });

  it('reports duplicate positions and refuses to build a volume from them', async () => {
    const g = orderSlices([0, 1, 1, 2].map((z) => geometry(z)));
    assert.deepEqual(g.duplicates, [{ slices: [1, 2], positionMm: 1 }]);
    assert.equal(g.spacingMm, 1);
    const files = writeSlices('duplicate', [0, 1, 1, 2].map((z, n) => ({ position: [0, 0, z] as Vec3, instanceNumber: n + 1, stored: 1024 })));
    await assert.rejects(build(files), (err: unknown) => err instanceof RadbridgeError && /same position 1 mm/.test(err.message));
  });

  it('refuses slices of different orientations with a clear error', async () => {
    assert.throws(() => orderSlices([geometry(0), geometry(1, [1, 0, 0, 0, 0, -1])]), /slice 1 has Image Orientation \(Patient\) \[1, 0, 0, 0, 0, -1\]/);
    const files = writeSlices('mixed-orientation', [
      { position: [0, 0, 0], instanceNumber: 1, stored: 1024 },
      { position: [0, 0, 1], instanceNumber: 2, stored: 1024, extra: { ImageOrientationPatient: ['0', '1', '0', '0', '0', '-1'] } },
    ]);
    await assert.rejects(build(files), /do not form one volume/);
  });

  it('reports gantry tilt (positions shifted in y per slice) with its angle, and the affine follows the slices', async () => {
    const tan = Math.tan((15 * Math.PI) / 180);
    const specs = [0, 1, 2, 3].map((n) => ({ position: [0, 2 * n * tan, 2 * n] as Vec3, instanceNumber: n + 1, stored: 1024 }));
    const { volume, geometry: g } = await build(writeSlices('tilt', specs, { ImageOrientationPatient: AXIAL }));
    assert.ok(g.tilt);
    assert.ok(Math.abs(g.tilt.degrees - 15) < 1e-6, `tilt ${g.tilt.degrees}`);
    assertClose(g.tilt.shiftPerSliceMm, [0, 2 * tan, 0]);
    assert.equal(g.spacingMm, 2);
    assertClose(voxelToPatient(volume, [0, 0, 3]), [0, 6 * tan, 6], 1e-6, 'slice 3 origin');
    assertClose(voxelToPatient(volume, [2, 1, 2]), [2 * 0.7, 0.7 + 4 * tan, 4], 1e-6, 'voxel (2, 1, 2)');
  });

  it('builds the right affine for an oblique orientation', async () => {
    const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
    const row: Vec3 = [c, s, 0];
    const column: Vec3 = [0, 0, -1];
    const normal: Vec3 = [-s, c, 0];
    const origin: Vec3 = [10, 20, 30];
    const specs = [0, 1, 2].map((k) => ({ position: [origin[0] + 3 * k * normal[0], origin[1] + 3 * k * normal[1], origin[2]] as Vec3, instanceNumber: 3 - k, stored: 1024 }));
    const files = writeSlices('oblique', specs, { ImageOrientationPatient: [...row, ...column].map(String), PixelSpacing: ['0.5', '0.8'] });
    const { volume, geometry: g } = await build(files);
    assert.equal(g.oblique, true);
    assertClose(g.normal, normal);
    assertClose(volume.spacing, [0.8, 0.5, 3]);
    const along = (a: 0 | 1 | 2) => origin[a] + 4 * 0.8 * row[a] + 3 * 0.5 * column[a] + 2 * 3 * normal[a];
    const expected: Vec3 = [along(0), along(1), along(2)];
    assertClose(voxelToPatient(volume, [4, 3, 2]), expected, 1e-6, 'voxel (4, 3, 2)');
    assertClose(patientToVoxel(volume, expected), [4, 3, 2], 1e-6, 'and back');
  });

  it('resampling to half the spacing keeps the values at shared grid points and interpolates between them', async () => {
    const { volume } = await build(orderedSpecs('resample'));
    const half = resampleVolume(volume, [0.35, 0.35, 1.25]);
    assert.deepEqual(half.dims, [2 * COLUMNS - 1, 2 * ROWS - 1, 11]);
    for (let k = 0; k < 6; k++) {
      for (let j = 0; j < ROWS; j++) for (let i = 0; i < COLUMNS; i++) assert.equal(voxel(half, 2 * i, 2 * j, 2 * k), voxel(volume, i, j, k));
    }
    assert.equal(voxel(half, 1, 0, 0), Math.round((voxel(volume, 0, 0, 0) + voxel(volume, 1, 0, 0)) / 2));
    assert.equal(voxel(half, 0, 0, 1), Math.round((voxel(volume, 0, 0, 0) + voxel(volume, 0, 0, 1)) / 2));
    assertClose(voxelToPatient(half, [4, 2, 6]), voxelToPatient(volume, [2, 1, 3]), 1e-9, 'same patient point');
  });

  it('windows to 8-bit (center/width), MONOCHROME1 inverted', async () => {
    const window = { center: 40, width: 400 };
    assert.deepEqual([...applyWindow([-1000, -160.5, 40, 239.5, 1000], window)], [0, 0, 128, 255, 255]);
    assert.deepEqual([...applyWindow([-1000, 40, 1000], window, 'MONOCHROME1')], [255, 127, 0]);
    const { volume } = await build(orderedSpecs('window'));
    const grey = windowSlice(volume, 0, { center: 10.5, width: 20 });
    assert.equal(grey.length, COLUMNS * ROWS);
    assert.equal(grey[0], 0);
    assert.equal(grey[10], 128);
    assert.equal(grey[23], 255);
  });

  it('chooses the projection pixel spacing and says which it used', () => {
    const ds = (...values: number[]) => ({ vr: 'DS', Value: values });
    const pixel: JsonDict = { '00280030': ds(0.1, 0.12), '00181164': ds(0.15, 0.15), '00280A02': { vr: 'CS', Value: ['GEOMETRY'] } };
    assert.deepEqual(projectionPixelSpacing(pixel), { rowSpacing: 0.1, columnSpacing: 0.12, source: 'PixelSpacing', calibrationType: 'GEOMETRY' });
    const corrected = projectionPixelSpacing({ '00181164': ds(0.15, 0.12), '00185022': ds(1.2) });
    assert.equal(corrected?.source, 'ImagerPixelSpacingCorrected');
    assert.equal(corrected.magnificationFactor, 1.2);
    assertClose([corrected.rowSpacing, corrected.columnSpacing], [0.125, 0.1]);
    assert.deepEqual(projectionPixelSpacing({ '00181164': { vr: 'DS', Value: ['0.143', '0.143'] } }), { rowSpacing: 0.143, columnSpacing: 0.143, source: 'ImagerPixelSpacing' });
    assert.equal(projectionPixelSpacing({}), undefined);
  });

  describe('from a series stored in a hub', () => {
    let hub: TestHub;
    before(async () => {
      hub = await startTestHub();
    });
    after(async () => {
      await hub.stop();
    });

    it('builds the same volume from the store as from the files', async () => {
      const files = orderedSpecs('stored');
      const stored = await stow(hub.url, await Promise.all(files.map((f) => readFile(f))));
      assert.equal(stored.status, 200);
      const scope = { studyUid: uidFrom('stored/study'), seriesUid: uidFrom('stored/series') };
      const fromStore = await buildVolume(await seriesVolumeSource(hub.app.database.db, hub.app.objects, scope));
      const fromFiles = await build(files);
      assert.deepEqual(fromStore.volume.dims, [COLUMNS, ROWS, 6]);
      assert.deepEqual([...fromStore.volume.voxels], [...fromFiles.volume.voxels]);
      assert.deepEqual(fromStore.volume.patientFromVoxel, fromFiles.volume.patientFromVoxel);
      assert.equal(voxel(fromStore.volume, 0, 0, 5), 500);
      await assert.rejects(seriesVolumeSource(hub.app.database.db, hub.app.objects, { ...scope, seriesUid: '1.2.3' }), /no stored instances/);
    });
  });
});
