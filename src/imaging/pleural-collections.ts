import { CHEST_LABEL, type ChestMasks } from './chest-masks.js';
import { connectedComponents, type Component, type Index3 } from './connected-components.js';
import { ellipsoidFit, insideEllipsoid, type Ellipsoid } from './ellipsoid-fit.js';
import { paintRuns, runsOf } from './mask-runs.js';
import type { Vec3 } from './slice-geometry.js';
import type { Volume } from './volume.js';
import { transformPoint, voxelVolumeMm3 } from './voxel-affine.js';

/**
 * Pleural air and dependent pleural fluid, per hemithorax, of an axial chest CT already split into
 * body and lungs (chest-masks.ts). Pure.
 *
 * - Pleural air: voxels of a lung at or below -950 HU (darker than aerated parenchyma, -900 to
 *   -500) in 6-connected regions that touch the lung's outer boundary, i.e. lie between the lung and
 *   the chest wall or mediastinum; air wholly inside the parenchyma (bullae, airways) is not.
 * - Pleural fluid: the hemithorax's pleural envelope is modelled as the axis-aligned ellipsoid
 *   fitted by least squares to the non-dependent surface of its air space (aerated lung plus pleural
 *   air: every boundary face except those facing posteriorly, and those against bone, where ribs
 *   clip the lung). Fluid is the soft-tissue voxels (20 to 70 HU) in the posterior (dependent, for a
 *   supine patient) half of that envelope outside the air space, in 6-connected regions of at least
 *   2 mL whose anteroposterior depth reaches 8 mm.
 */

export const PLEURAL_HU = {
  pleuralAir: -950,
  fluidLow: 20,
  fluidHigh: 70,
  bone: 300,
} as const;

const MIN_AIR_ML = 1;
const MIN_FLUID_ML = 2;
const MIN_FLUID_DEPTH_MM = 8;

export type Hemithorax = 'right' | 'left';

/** One collection on one side: the union of its regions. */
export interface PleuralCollection {
  side: Hemithorax;
  voxels: number;
  volumeMl: number;
  min: Index3;
  max: Index3;
  centroid: Vec3;
  /** Run lengths on the analysed grid. */
  runs: number[];
  /** Greatest anteroposterior extent of one column (i, k), mm. */
  maxDepthMm: number;
  /** Craniocaudal extent, mm. */
  lengthMm: number;
  meanHu: number;
}

const lungLabel = (side: Hemithorax): number => (side === 'right' ? CHEST_LABEL.rightLung : CHEST_LABEL.leftLung);

const FACES: Index3[] = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];

/** Greatest number of voxels in one (i, k) column of a component, times the row spacing. */
function maxColumnDepthMm(volume: Volume, runs: readonly number[]): number {
  const [nx, ny] = volume.dims;
  const counts = new Map<number, number>();
  let v = 0;
  for (let r = 0; r < runs.length; r += 2) {
    v += runs[r] ?? 0;
    for (let end = v + (runs[r + 1] ?? 0); v < end; v++) {
      const key = (v % nx) + nx * Math.floor(v / (nx * ny));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return Math.max(0, ...counts.values()) * volume.spacing[1];
}

/** The union of the kept components as one collection. */
function collectionOf(volume: Volume, side: Hemithorax, kept: readonly Component[]): PleuralCollection | undefined {
  if (kept.length === 0) return undefined;
  const grid = new Uint8Array(volume.voxels.length);
  for (const c of kept) paintRuns(grid, c.runs, 1);
  const runs = runsOf(grid, 1);
  const voxels = kept.reduce((n, c) => n + c.voxels, 0);
  const min = [0, 1, 2].map((a) => Math.min(...kept.map((c) => c.min[a] ?? 0))) as Index3;
  const max = [0, 1, 2].map((a) => Math.max(...kept.map((c) => c.max[a] ?? 0))) as Index3;
  const centroid = [0, 1, 2].map((a) => kept.reduce((s, c) => s + (c.centroid[a] ?? 0) * c.voxels, 0) / voxels) as Index3;
  return {
    side, voxels, min, max, runs,
    volumeMl: (voxels * voxelVolumeMm3(volume.patientFromVoxel)) / 1000,
    centroid: transformPoint(volume.patientFromVoxel, centroid),
    maxDepthMm: maxColumnDepthMm(volume, runs),
    lengthMm: (max[2] - min[2] + 1) * volume.spacing[2],
    meanHu: kept.reduce((s, c) => s + c.weight, 0) / voxels,
  };
}

const minVoxelsOf = (volume: Volume, ml: number): number => (ml * 1000) / voxelVolumeMm3(volume.patientFromVoxel);

/** Pleural air of one side. */
export function pleuralAir(volume: Volume, masks: ChestMasks, side: Hemithorax): PleuralCollection | undefined {
  const { labels } = masks;
  const [nx, ny, nz] = volume.dims;
  const own = lungLabel(side);
  const grid = new Uint8Array(labels.length);
  const peripheral = new Uint8Array(labels.length);
  for (let v = 0; v < labels.length; v++) {
    if (labels[v] !== own || (volume.voxels[v] ?? 0) > PLEURAL_HU.pleuralAir) continue;
    grid[v] = 1;
    const i = v % nx;
    const j = Math.floor(v / nx) % ny;
    const k = Math.floor(v / (nx * ny));
    for (const [di, dj, dk] of FACES) {
      const [a, b, c] = [i + di, j + dj, k + dk];
      if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
      if (labels[a + nx * (b + ny * c)] !== own) peripheral[v] = 1;
    }
  }
  const minVoxels = minVoxelsOf(volume, MIN_AIR_ML);
  const components = connectedComponents(grid, volume.dims, 1, 6, (v) => (peripheral[v] ? 1 : 0));
  const kept = components.filter((c) => c.voxels >= minVoxels && c.weight > 0);
  return collectionOf(volume, side, kept.map((c) => ({ ...c, weight: meanHuWeight(volume, c) })));
}

/** Sum of HU over a component's voxels (its `weight`, for the mean). */
function meanHuWeight(volume: Volume, c: Component): number {
  let sum = 0;
  let v = 0;
  for (let r = 0; r < c.runs.length; r += 2) {
    v += c.runs[r] ?? 0;
    for (let end = v + (c.runs[r + 1] ?? 0); v < end; v++) sum += volume.voxels[v] ?? 0;
  }
  return sum;
}

/** The ellipsoid fitted to the non-dependent, non-bony boundary faces of one side's air space. */
export function pleuralEnvelope(volume: Volume, masks: ChestMasks, side: Hemithorax): Ellipsoid | undefined {
  const { labels } = masks;
  const [nx, ny, nz] = volume.dims;
  const own = lungLabel(side);
  const m = volume.patientFromVoxel;
  const posteriorOf = ([di, dj, dk]: Index3): number => (m[4] ?? 0) * di + (m[5] ?? 0) * dj + (m[6] ?? 0) * dk;
  const centre = centreOfSide(volume, masks, side);
  if (!centre) return undefined;
  const fit = ellipsoidFit(centre);
  for (let v = 0; v < labels.length; v++) {
    if (labels[v] !== own) continue;
    const i = v % nx;
    const j = Math.floor(v / nx) % ny;
    const k = Math.floor(v / (nx * ny));
    for (const face of FACES) {
      const [a, b, c] = [i + face[0], j + face[1], k + face[2]];
      if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
      const n = a + nx * (b + ny * c);
      if (labels[n] === own || posteriorOf(face) > 0 || (volume.voxels[n] ?? 0) >= PLEURAL_HU.bone) continue;
      fit.add(transformPoint(m, [i + face[0] / 2, j + face[1] / 2, k + face[2] / 2]));
    }
  }
  return fit.result();
}

/** Centroid of one side's air space, patient mm. */
function centreOfSide(volume: Volume, masks: ChestMasks, side: Hemithorax): Vec3 | undefined {
  const [nx, ny] = volume.dims;
  const own = lungLabel(side);
  const sum = [0, 0, 0];
  let count = 0;
  for (let v = 0; v < masks.labels.length; v++) {
    if (masks.labels[v] !== own) continue;
    sum[0] = (sum[0] ?? 0) + (v % nx);
    sum[1] = (sum[1] ?? 0) + (Math.floor(v / nx) % ny);
    sum[2] = (sum[2] ?? 0) + Math.floor(v / (nx * ny));
    count++;
  }
  return count === 0 ? undefined : transformPoint(volume.patientFromVoxel, [(sum[0] ?? 0) / count, (sum[1] ?? 0) / count, (sum[2] ?? 0) / count]);
}

/** Dependent pleural fluid of one side, inside its fitted envelope. */
export function pleuralFluid(volume: Volume, masks: ChestMasks, side: Hemithorax): { collection?: PleuralCollection; envelope?: Ellipsoid } {
  const envelope = pleuralEnvelope(volume, masks, side);
  if (!envelope) return {};
  const [nx, ny] = volume.dims;
  const grid = new Uint8Array(masks.labels.length);
  for (let v = 0; v < grid.length; v++) {
    const hu = volume.voxels[v] ?? 0;
    if (masks.labels[v] !== CHEST_LABEL.body || hu < PLEURAL_HU.fluidLow || hu > PLEURAL_HU.fluidHigh) continue;
    const p = transformPoint(volume.patientFromVoxel, [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))]);
    if (p[1] > envelope.centre[1] && insideEllipsoid(envelope, p)) grid[v] = 1;
  }
  const minVoxels = minVoxelsOf(volume, MIN_FLUID_ML);
  const kept = connectedComponents(grid, volume.dims, 1, 6, (v) => volume.voxels[v] ?? 0)
    .filter((c) => c.voxels >= minVoxels && maxColumnDepthMm(volume, c.runs) >= MIN_FLUID_DEPTH_MM);
  const collection = collectionOf(volume, side, kept);
  return collection ? { collection, envelope } : { envelope };
}
