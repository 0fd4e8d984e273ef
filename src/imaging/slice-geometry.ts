import { RadbridgeError } from '../domain/errors.js';

/** Where slices lie in the patient coordinate system (PS3.3 C.7.6.2.1.1), and what is odd about them. Pure. */

export type Vec3 = readonly [number, number, number];

export interface SliceGeometryInput {
  /** Image Position (Patient): the centre of the first transmitted pixel, mm. */
  imagePositionPatient: Vec3;
  /** Image Orientation (Patient): row direction cosines (along a row), then column direction cosines (down a column). */
  imageOrientationPatient: readonly [number, number, number, number, number, number];
  /** Pixel Spacing: between rows (down a column), then between columns (along a row), mm. */
  pixelSpacing: readonly [number, number];
}

export interface SliceGap {
  /** The gap lies between ordered slices `afterSlice` and `afterSlice + 1`. */
  afterSlice: number;
  stepMm: number;
}

export interface DuplicatePosition {
  /** Indices into the input of two slices at the same position. */
  slices: [number, number];
  positionMm: number;
}

export interface GantryTilt {
  /** Angle between the slice normal and the direction in which successive slices advance. */
  degrees: number;
  /** The in-plane offset from one slice to the next (the part of the step not along the normal), mm. */
  shiftPerSliceMm: Vec3;
}

export interface SliceGeometryReport {
  /** Input indices in order of position along the normal, lowest first. */
  order: number[];
  /** Position of each ordered slice along the normal, mm. */
  positionsMm: number[];
  rowDirection: Vec3;
  columnDirection: Vec3;
  /** rowDirection x columnDirection. */
  normal: Vec3;
  pixelSpacing: [number, number];
  /** Median of the successive position differences (duplicates left out), mm. */
  spacingMm: number;
  /** From one ordered slice to the next in patient space: spacing along the normal plus any tilt shift. */
  stepMm: Vec3;
  /** Steps longer than GAP_FACTOR x the median. */
  gaps: SliceGap[];
  duplicates: DuplicatePosition[];
  tilt: GantryTilt | undefined;
  /** The image plane is not aligned with the patient axes. */
  oblique: boolean;
}

export const GAP_FACTOR = 1.5;
/** Positions closer than this along the normal are the same position, mm. */
const SAME_POSITION_MM = 0.01;
/** Direction cosines closer than this are the same orientation. */
const SAME_COSINE = 1e-3;
/** In-plane shift per mm of step below which there is no tilt (about 0.06 degrees). */
const NO_TILT = 1e-3;

export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const length = (a: Vec3): number => Math.sqrt(dot(a, a));

function unit(a: Vec3, what: string): Vec3 {
  const n = length(a);
  if (!(n > 0.5 && n < 1.5)) throw new RadbridgeError('DICOM_MALFORMED', `${what} direction cosines [${a.join(', ')}] are not a unit vector`);
  return scale(a, 1 / n);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const isAxis = (v: Vec3): boolean => v.filter((c) => Math.abs(Math.abs(c) - 1) < SAME_COSINE).length === 1;

/** Refuses slices whose orientation or pixel spacing differ from the first one's: they are not one volume. */
function checkConsistent(slices: readonly SliceGeometryInput[]): void {
  const [first] = slices;
  if (!first) return;
  slices.forEach((s, i) => {
    const cosines = s.imageOrientationPatient.map((c, k) => Math.abs(c - (first.imageOrientationPatient[k] ?? 0)));
    if (cosines.some((d) => d > SAME_COSINE)) {
      throw new RadbridgeError('SERIES_NOT_A_VOLUME', `slices do not form one volume: slice ${i} has Image Orientation (Patient) [${s.imageOrientationPatient.join(', ')}], slice 0 has [${first.imageOrientationPatient.join(', ')}]`);
    }
    if (s.pixelSpacing.some((v, k) => Math.abs(v - (first.pixelSpacing[k] ?? 0)) > 1e-4 * Math.max(1, v))) {
      throw new RadbridgeError('SERIES_NOT_A_VOLUME', `slices do not form one volume: slice ${i} has Pixel Spacing [${s.pixelSpacing.join(', ')}], slice 0 has [${first.pixelSpacing.join(', ')}]`);
    }
  });
}

/** Per step between ordered slices: its length along the normal and its in-plane shift per mm of that length. */
function tiltOf(steps: { along: number; shift: Vec3 }[], spacing: number): { tilt: GantryTilt | undefined; shiftPerMm: Vec3 } {
  const real = steps.filter((s) => s.along > SAME_POSITION_MM);
  const component = (c: 0 | 1 | 2) => median(real.map((s) => s.shift[c] / s.along));
  const perMm: Vec3 = [component(0), component(1), component(2)];
  const tangent = length(perMm);
  if (tangent < NO_TILT) return { tilt: undefined, shiftPerMm: [0, 0, 0] };
  return { tilt: { degrees: (Math.atan(tangent) * 180) / Math.PI, shiftPerSliceMm: scale(perMm, spacing) }, shiftPerMm: perMm };
}

/**
 * Orders slices by their position along the slice normal (never by Instance Number), takes the
 * spacing from the positions, and reports gaps, duplicate positions, gantry tilt and oblique planes
 * with the numbers that show them. Refuses slices of different orientation or pixel spacing, and
 * fewer than two distinct positions.
 */
export function orderSlices(slices: readonly SliceGeometryInput[]): SliceGeometryReport {
  const [first] = slices;
  if (!first || slices.length < 2) throw new RadbridgeError('SERIES_NOT_A_VOLUME', `a volume needs at least two slices, got ${slices.length}`);
  checkConsistent(slices);
  const iop = first.imageOrientationPatient;
  const rowDirection = unit([iop[0], iop[1], iop[2]], 'row');
  const columnDirection = unit([iop[3], iop[4], iop[5]], 'column');
  if (Math.abs(dot(rowDirection, columnDirection)) > 1e-2) throw new RadbridgeError('DICOM_MALFORMED', `row and column direction cosines [${iop.join(', ')}] are not orthogonal`);
  const normal = unit(cross(rowDirection, columnDirection), 'normal');
  const along = slices.map((s) => dot(s.imagePositionPatient, normal));
  const order = along.map((_p, i) => i).sort((a, b) => (along[a] ?? 0) - (along[b] ?? 0));
  const positionsMm = order.map((i) => along[i] ?? 0);
  const steps = order.slice(1).map((to, k) => {
    const from = order[k] ?? 0;
    const delta = sub(slices[to]?.imagePositionPatient ?? [0, 0, 0], slices[from]?.imagePositionPatient ?? [0, 0, 0]);
    const a = dot(delta, normal);
    return { from, to, along: a, shift: sub(delta, scale(normal, a)) };
  });
  const duplicates = steps.filter((s) => s.along <= SAME_POSITION_MM).map((s): DuplicatePosition => ({ slices: [s.from, s.to], positionMm: along[s.from] ?? 0 }));
  const distinct = steps.filter((s) => s.along > SAME_POSITION_MM).map((s) => s.along);
  if (distinct.length === 0) throw new RadbridgeError('SERIES_NOT_A_VOLUME', `all ${slices.length} slices lie at the same position ${positionsMm[0]} mm along the normal`);
  const spacingMm = median(distinct);
  const gaps = steps.flatMap((s, k) => (s.along > GAP_FACTOR * spacingMm ? [{ afterSlice: k, stepMm: s.along }] : []));
  const { tilt, shiftPerMm } = tiltOf(steps, spacingMm);
  return {
    order,
    positionsMm,
    rowDirection,
    columnDirection,
    normal,
    pixelSpacing: [first.pixelSpacing[0], first.pixelSpacing[1]],
    spacingMm,
    stepMm: scale(add(normal, shiftPerMm), spacingMm),
    gaps,
    duplicates,
    tilt,
    oblique: !isAxis(rowDirection) || !isAxis(columnDirection),
  };
}
