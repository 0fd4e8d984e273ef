import path from 'node:path';
import type { AnalysisInput, AnalysisSeries } from '../../src/analyze/analyzer.js';
import { classifySeries } from '../../src/classify/classify-series.js';
import { seriesFacts } from '../../src/classify/series-facts.js';
import type { RolloutMode } from '../../src/domain/rollout-mode.js';
import { uidFrom, writeCtSeries } from './synthetic-ct.js';

/**
 * An axial CT series whose HU are a known function of the voxel index, written slice by slice with
 * writeCtSeries (one Part 10 file a slice, written in reverse order so the volume must sort them),
 * and the analysis input that hands it to an analyzer.
 */

export interface PhantomOptions {
  dir: string;
  seed: string;
  /** [columns, rows, slices]. */
  dims: [number, number, number];
  /** mm between columns, rows and slices. */
  spacing: [number, number, number];
  /** Patient position of voxel (0, 0, 0), LPS mm. */
  origin: [number, number, number];
  /** HU of voxel (i, j, k); -1024..3071. */
  hu: (i: number, j: number, k: number) => number;
  extra?: Record<string, unknown>;
}

export interface Phantom {
  series: AnalysisSeries;
  studyUid: string;
  /** Patient position of voxel (i, j, k). */
  patient: (i: number, j: number, k: number) => [number, number, number];
}

export function writePhantom(o: PhantomOptions): Phantom {
  const [nx, ny, nz] = o.dims;
  const [sx, sy, sz] = o.spacing;
  const studyUid = uidFrom(`${o.seed}/study`);
  const seriesUid = uidFrom(`${o.seed}/series`);
  const instances: AnalysisSeries['instances'] = [];
  for (let k = nz - 1; k >= 0; k--) {
    const pixels = new Uint16Array(nx * ny);
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) pixels[i + nx * j] = Math.round(o.hu(i, j, k)) + 1024;
    const written = writeCtSeries({
      dir: path.join(o.dir, `slice-${k}`),
      count: 1,
      seed: `${o.seed}/${k}`,
      rows: ny,
      columns: nx,
      studyUid,
      extra: {
        SeriesInstanceUID: seriesUid,
        FrameOfReferenceUID: uidFrom(`${o.seed}/for`),
        InstanceNumber: String(k + 1),
        ImagePositionPatient: [o.origin[0], o.origin[1], o.origin[2] + k * sz].map(String),
        PixelSpacing: [String(sy), String(sx)],
        SliceThickness: String(sz),
        PixelData: [pixels.buffer],
        ...o.extra,
      },
    });
    instances.push({ sopInstanceUid: written.sopInstanceUids[0] ?? '', file: written.files[0] ?? '' });
  }
  const facts = seriesFacts({ '00080060': { vr: 'CS', Value: ['CT'] }, '00180015': { vr: 'CS', Value: ['HEAD'] }, '00080008': { vr: 'CS', Value: ['ORIGINAL', 'PRIMARY', 'AXIAL'] } });
  return {
    series: { seriesUid, modality: 'CT', classification: classifySeries(facts), instances },
    studyUid,
    patient: (i, j, k) => [o.origin[0] + i * sx, o.origin[1] + j * sy, o.origin[2] + k * sz],
  };
}

export function analysisInput(phantom: Phantom, mode: RolloutMode, inputHash = 'c0ffee'): AnalysisInput {
  return { studyUid: phantom.studyUid, series: [phantom.series], inputHash, mode };
}
