import { RadbridgeError } from '../../domain/errors.js';
import { affineFromAxes } from '../../imaging/voxel-affine.js';
import type { Vec3 } from '../../imaging/slice-geometry.js';
import type { ImagePlanes } from './image-planes.js';
import type { SegFrame, SegGeometry } from './seg-frames.js';

/**
 * The voxel grid a SEG's frames lie on: the slices of the referenced series where their planes are
 * known, else the SEG's own frame positions, at the spacing between slices. Pure.
 */

export interface SegGrid {
  dimensions: [number, number, number];
  affine: number[];
  /** Slice index of each frame (by frame index). */
  sliceOfFrame: Map<number, number>;
  /** mm³ of one voxel; undefined when the spacing is not known. */
  voxelVolumeMm3?: number;
}

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/** Positions along the normal closer than this are one slice, mm. */
const SAME_SLICE_MM = 0.01;

function medianStep(sorted: number[]): number | undefined {
  const steps = sorted.slice(1).map((p, i) => p - (sorted[i] ?? p)).filter((s) => s > SAME_SLICE_MM).sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)];
}

/** Frames without plane geometry: each segment's frames are stacked in the order sent, in voxel units. */
function unplacedGrid(geometry: SegGeometry, frames: SegFrame[]): SegGrid {
  const counts = new Map<number, number>();
  const sliceOfFrame = new Map<number, number>();
  for (const f of frames) {
    const k = counts.get(f.segmentNumber) ?? 0;
    sliceOfFrame.set(f.index, k);
    counts.set(f.segmentNumber, k + 1);
  }
  return {
    dimensions: [geometry.columns, geometry.rows, Math.max(1, ...counts.values())],
    affine: affineFromAxes([1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]) as number[],
    sliceOfFrame,
  };
}

export function segGridOf(geometry: SegGeometry, frames: SegFrame[], planes: ImagePlanes, referencedSeriesUid: string | undefined): SegGrid {
  const { orientation, pixelSpacing } = geometry;
  if (!orientation || !pixelSpacing || frames.some((f) => !f.position)) return unplacedGrid(geometry, frames);
  const rowDir: Vec3 = [orientation[0], orientation[1], orientation[2]];
  const colDir: Vec3 = [orientation[3], orientation[4], orientation[5]];
  const normal = cross(rowDir, colDir);
  const seriesPositions = [...planes.values()].filter((p) => p.seriesUid === referencedSeriesUid).map((p) => p.geometry.imagePositionPatient);
  const framePositions = frames.map((f) => f.position as Vec3);
  const candidates = [...seriesPositions, ...framePositions];
  const along = candidates.map((p) => dot(p, normal));
  const sorted = [...new Set(along)].sort((a, b) => a - b);
  const step = geometry.spacingBetweenSlices ?? medianStep(sorted) ?? geometry.sliceThickness;
  const min = sorted[0] ?? 0;
  const max = sorted[sorted.length - 1] ?? 0;
  if (step === undefined && max - min > SAME_SLICE_MM) throw new RadbridgeError('DICOM_MALFORMED', 'the segmentation frames lie on several planes but no spacing between them can be told');
  const spacing = step ?? 1;
  const slices = Math.round((max - min) / spacing) + 1;
  const origin = candidates[along.indexOf(min)] as Vec3;
  const sliceOfFrame = new Map(frames.map((f, n) => [f.index, Math.round(((along[seriesPositions.length + n] ?? min) - min) / spacing)]));
  const [rowSpacing, columnSpacing] = pixelSpacing;
  const scale = (v: Vec3, s: number): Vec3 => [v[0] * s, v[1] * s, v[2] * s];
  return {
    dimensions: [geometry.columns, geometry.rows, slices],
    affine: affineFromAxes(scale(rowDir, columnSpacing), scale(colDir, rowSpacing), scale(normal, spacing), origin) as number[],
    sliceOfFrame,
    ...(step === undefined && geometry.sliceThickness === undefined ? {} : { voxelVolumeMm3: rowSpacing * columnSpacing * (step ?? geometry.sliceThickness ?? 1) }),
  };
}
