import { candidateComponents, CHEST_LABEL, type ChestMasks } from './chest-masks.js';
import { eachVoxel, type Component, type Index3, type IndexBox } from './connected-components.js';
import { ellipsoidFit, insideEllipsoid, type Ellipsoid } from './ellipsoid-fit.js';
import { unionRuns } from './mask-runs.js';
import type { Vec3 } from './slice-geometry.js';
import type { Volume } from './volume.js';
import { transformPoint, transformRow, voxelVolumeMm3 } from './voxel-affine.js';

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
 *
 * Each side is searched within its lung's box (the fluid within its envelope's), on the label grid
 * (chest-masks.ts), so a side costs the voxels of its box, not of the volume.
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
  const runs = unionRuns(kept.map((c) => c.runs));
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

const indexOf = (dims: Index3, v: number): Index3 => [v % dims[0], Math.floor(v / dims[0]) % dims[1], Math.floor(v / (dims[0] * dims[1]))];

/** Index of the voxel across `face` from (i, j, k), or -1 outside the grid. */
function neighbourAcross(dims: Index3, i: number, j: number, k: number, face: Index3): number {
  const a = i + face[0];
  const b = j + face[1];
  const c = k + face[2];
  return a < 0 || b < 0 || c < 0 || a >= dims[0] || b >= dims[1] || c >= dims[2] ? -1 : a + dims[0] * (b + dims[1] * c);
}

/** Pleural air of one side. */
export function pleuralAir(volume: Volume, masks: ChestMasks, side: Hemithorax): PleuralCollection | undefined {
  const { labels } = masks;
  const box = masks.lungBoxes[side];
  if (!box) return undefined;
  const { dims, voxels } = volume;
  const own = lungLabel(side);
  const ownOrCandidate = (n: number): boolean => labels[n] === own || labels[n] === CHEST_LABEL.candidate;
  const atBoundary = (v: number): number => {
    const [i, j, k] = indexOf(dims, v);
    return FACES.some((face) => {
      const n = neighbourAcross(dims, i, j, k, face);
      return n >= 0 && !ownOrCandidate(n);
    })
      ? 1
      : 0;
  };
  const minVoxels = minVoxelsOf(volume, MIN_AIR_ML);
  const components = candidateComponents(labels, dims, own, box, (v) => (voxels[v] ?? 0) <= PLEURAL_HU.pleuralAir, { weight: atBoundary });
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
  const box = masks.lungBoxes[side];
  if (!box) return undefined;
  const { dims, voxels } = volume;
  const own = lungLabel(side);
  const m = volume.patientFromVoxel;
  const posterior = (face: Index3): boolean => (m[4] ?? 0) * face[0] + (m[5] ?? 0) * face[1] + (m[6] ?? 0) * face[2] > 0;
  const fitted = FACES.filter((face) => !posterior(face));
  const fit = ellipsoidFit(centreOfSide(volume, masks, side, box));
  eachVoxel(dims, box, (v, i, j, k) => {
    if (labels[v] !== own) return;
    for (const face of fitted) {
      const n = neighbourAcross(dims, i, j, k, face);
      if (n < 0 || labels[n] === own || (voxels[n] ?? 0) >= PLEURAL_HU.bone) continue;
      fit.add(transformPoint(m, [i + face[0] / 2, j + face[1] / 2, k + face[2] / 2]));
    }
  });
  return fit.result();
}

/** Centroid of one side's air space (within its box), patient mm. */
function centreOfSide(volume: Volume, masks: ChestMasks, side: Hemithorax, box: IndexBox): Vec3 {
  const own = lungLabel(side);
  let [si, sj, sk, count] = [0, 0, 0, 0];
  eachVoxel(volume.dims, box, (v, i, j, k) => {
    if (masks.labels[v] !== own) return;
    si += i;
    sj += j;
    sk += k;
    count++;
  });
  return transformPoint(volume.patientFromVoxel, [si / count, sj / count, sk / count]);
}

/** The index box of the posterior half of an ellipsoid (its patient box's corners taken to voxels), clipped to the grid. */
function posteriorHalfBox(volume: Volume, e: Ellipsoid): IndexBox {
  const [cx, cy, cz] = e.centre;
  const [rx, ry, rz] = e.radii;
  const corners: Vec3[] = [];
  for (const x of [cx - rx, cx + rx]) for (const y of [cy, cy + ry]) for (const z of [cz - rz, cz + rz]) corners.push(transformPoint(volume.voxelFromPatient, [x, y, z]));
  const limit = (a: number, value: number): number => Math.min((volume.dims[a] ?? 1) - 1, Math.max(0, value));
  return {
    min: [0, 1, 2].map((a) => limit(a, Math.floor(Math.min(...corners.map((c) => c[a] ?? 0))))) as Index3,
    max: [0, 1, 2].map((a) => limit(a, Math.ceil(Math.max(...corners.map((c) => c[a] ?? 0))))) as Index3,
  };
}

/** Dependent pleural fluid of one side, inside its fitted envelope. */
export function pleuralFluid(volume: Volume, masks: ChestMasks, side: Hemithorax): { collection?: PleuralCollection; envelope?: Ellipsoid } {
  const envelope = pleuralEnvelope(volume, masks, side);
  if (!envelope) return {};
  const { voxels, patientFromVoxel: m } = volume;
  const inFluid = (v: number, i: number, j: number, k: number): boolean => {
    const hu = voxels[v] ?? 0;
    if (hu < PLEURAL_HU.fluidLow || hu > PLEURAL_HU.fluidHigh) return false;
    const y = transformRow(m, 1, i, j, k);
    return y > envelope.centre[1] && insideEllipsoid(envelope, [transformRow(m, 0, i, j, k), y, transformRow(m, 2, i, j, k)]);
  };
  const minVoxels = minVoxelsOf(volume, MIN_FLUID_ML);
  const kept = candidateComponents(masks.labels, volume.dims, CHEST_LABEL.body, posteriorHalfBox(volume, envelope), inFluid, { weight: (v) => voxels[v] ?? 0 })
    .filter((c) => c.voxels >= minVoxels && maxColumnDepthMm(volume, c.runs) >= MIN_FLUID_DEPTH_MM);
  const collection = collectionOf(volume, side, kept);
  return collection ? { collection, envelope } : { envelope };
}
