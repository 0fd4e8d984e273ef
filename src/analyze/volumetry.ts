import { z } from 'zod';
import { RadbridgeError } from '../domain/errors.js';
import type { FindingMask, PatientPoint } from '../domain/finding.js';
import type { Index3 } from '../imaging/connected-components.js';
import { regionGeometry } from '../imaging/mask-volumetry.js';
import { growRegion, type GrowthBounds } from '../imaging/region-growing.js';
import { buildVolume, patientToVoxel, type Volume } from '../imaging/volume.js';
import { voxelVolumeMm3 } from '../imaging/voxel-affine.js';
import type { Database } from '../store/database.js';
import type { ObjectStore } from '../store/object-store.js';
import { seriesVolumeSource, type SeriesScope } from '../store/series-volume-source.js';

/**
 * Semi-automatic volumetry of a stored series: region growing within an HU range from a seed
 * point or inside a box (src/imaging/region-growing.ts), measured in mL with its centroid, box
 * and mask. The HTTP adapter is volumetry-routes.ts.
 */

export const DEFAULT_MAX_ML = 3000;

const triple = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);

export const volumetryRequestSchema = z
  .object({
    seed: triple.optional(),
    roi: z.tuple([triple, triple]).optional(),
    /** Whether seed and roi are patient LPS mm (default) or voxel indices. */
    space: z.enum(['patient', 'voxel']).default('patient'),
    huRange: z.tuple([z.number().finite(), z.number().finite()]),
    maxMl: z.number().finite().positive().max(100_000).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.seed === undefined && r.roi === undefined) ctx.addIssue({ code: 'custom', path: ['seed'], message: 'give a seed point or a roi box (or both)' });
    if (r.huRange[0] > r.huRange[1]) ctx.addIssue({ code: 'custom', path: ['huRange'], message: `the HU range [${r.huRange.join(', ')}] is empty: its low end exceeds its high end` });
  });

export type VolumetryRequest = z.infer<typeof volumetryRequestSchema>;

export interface VolumetryResult {
  studyUid: string;
  seriesUid: string;
  method: string;
  huRange: [number, number];
  voxels: number;
  volumeMl: number;
  meanHu: number;
  centroid: PatientPoint;
  box: [PatientPoint, PatientPoint];
  mask: FindingMask;
  /** The growth stopped at maxMl: the region may go on. */
  reachedMaxVolume: boolean;
}

function toVoxel(volume: Volume, p: readonly [number, number, number], space: VolumetryRequest['space']): Index3 {
  const [i, j, k] = space === 'voxel' ? p : patientToVoxel(volume, [p[0], p[1], p[2]]);
  return [Math.round(i), Math.round(j), Math.round(k)];
}

function outside(volume: Volume, v: Index3): boolean {
  return v.some((x, a) => x < 0 || x >= (volume.dims[a] ?? 0));
}

/** The voxel seed and bounds of a request; a seed outside the volume, or a box missing it entirely, is refused with every problem. */
export function growthPlan(volume: Volume, request: VolumetryRequest): { seed?: Index3; bounds: GrowthBounds } {
  const issues: string[] = [];
  const seed = request.seed && toVoxel(volume, request.seed, request.space);
  if (seed && outside(volume, seed)) issues.push(`seed: [${request.seed?.join(', ')}] lies outside the volume (voxel [${seed.join(', ')}] of a ${volume.dims.join(' x ')} grid)`);
  let bounds: GrowthBounds = { min: [0, 0, 0], max: [volume.dims[0] - 1, volume.dims[1] - 1, volume.dims[2] - 1] };
  if (request.roi) {
    const [a, b] = request.roi.map((c) => toVoxel(volume, c, request.space)) as [Index3, Index3];
    bounds = { min: [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.min(a[2], b[2])], max: [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.max(a[2], b[2])] };
    if (bounds.max.some((x, i) => x < 0 || (bounds.min[i] ?? 0) >= (volume.dims[i] ?? 0))) issues.push('roi: the box lies wholly outside the volume');
    if (seed && seed.some((x, i) => x < (bounds.min[i] ?? 0) || x > (bounds.max[i] ?? 0))) issues.push('seed: the seed lies outside the roi box');
  }
  if (issues.length > 0) throw new RadbridgeError('BAD_REQUEST', `the volumetry request has ${issues.length} problem(s): ${issues.join('; ')}`, issues);
  return { ...(seed ? { seed } : {}), bounds };
}

/** Region growing on a built volume: the measurement alone, no I/O. */
export function measureVolumetry(volume: Volume, scope: SeriesScope, request: VolumetryRequest): VolumetryResult {
  const plan = growthPlan(volume, request);
  const voxelMm3 = voxelVolumeMm3(volume.patientFromVoxel);
  const maxVoxels = Math.floor(((request.maxMl ?? DEFAULT_MAX_ML) * 1000) / voxelMm3);
  const region = growRegion(volume, { ...plan, huRange: request.huRange, maxVoxels });
  const where = region.voxels > 0 ? regionGeometry(volume.patientFromVoxel, region.centroid, region.min, region.max) : undefined;
  return {
    ...scope,
    method: `6-connected region growing from ${plan.seed ? 'a seed' : 'the largest in-range region of the box'}${request.roi ? ' within the roi box' : ''}`,
    huRange: request.huRange,
    voxels: region.voxels,
    volumeMl: (region.voxels * voxelMm3) / 1000,
    meanHu: region.voxels > 0 ? region.meanHu : 0,
    centroid: where?.centroid ?? [0, 0, 0],
    box: where?.box ?? [[0, 0, 0], [0, 0, 0]],
    mask: { seriesUid: scope.seriesUid, dimensions: volume.dims, affine: [...volume.patientFromVoxel], runs: region.runs },
    reachedMaxVolume: region.reachedLimit,
  };
}

/** Loads the stored series as a volume (404 when none is stored, 422 when its images are not one volume) and measures. */
export async function seriesVolumetry(deps: { database: Database; objects: ObjectStore }, scope: SeriesScope, request: VolumetryRequest): Promise<VolumetryResult> {
  const source = await seriesVolumeSource(deps.database.db, deps.objects, scope);
  let volume: Volume;
  try {
    volume = (await buildVolume(source)).volume;
  } catch (err) {
    if (err instanceof RadbridgeError && err.code !== 'SERIES_NOT_A_VOLUME' && err.code !== 'PROCESSING_FAILURE') {
      throw new RadbridgeError('SERIES_NOT_A_VOLUME', `series ${scope.seriesUid} is not a volume: ${err.message}`);
    }
    throw err;
  }
  if (volume.dims[2] < 2) throw new RadbridgeError('SERIES_NOT_A_VOLUME', `series ${scope.seriesUid} holds one image, not a volume of slices`);
  return measureVolumetry(volume, scope, request);
}
