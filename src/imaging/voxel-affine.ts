import { RadbridgeError } from '../domain/errors.js';
import type { Vec3 } from './slice-geometry.js';

/**
 * A 4x4 affine in row-major order: patient = M x [i, j, k, 1] with i the column index, j the row
 * index and k the slice index. Pure.
 */
export type Mat4 = readonly number[];

/** Columns of the affine: one voxel step along i, j and k in patient space, and the origin (voxel 0,0,0). */
export function affineFromAxes(alongI: Vec3, alongJ: Vec3, alongK: Vec3, origin: Vec3): Mat4 {
  return [
    alongI[0], alongJ[0], alongK[0], origin[0],
    alongI[1], alongJ[1], alongK[1], origin[1],
    alongI[2], alongJ[2], alongK[2], origin[2],
    0, 0, 0, 1,
  ];
}

const at = (m: Mat4, row: number, column: number): number => m[row * 4 + column] ?? 0;

/** Applies an affine to a point. */
export function transformPoint(m: Mat4, p: Vec3): Vec3 {
  return [transformRow(m, 0, p[0], p[1], p[2]), transformRow(m, 1, p[0], p[1], p[2]), transformRow(m, 2, p[0], p[1], p[2])];
}

/** Row `row` (0 x, 1 y, 2 z) of the affine applied to (i, j, k): one coordinate of transformPoint, allocating nothing, for per-voxel loops. */
export function transformRow(m: Mat4, row: number, i: number, j: number, k: number): number {
  return at(m, row, 0) * i + at(m, row, 1) * j + at(m, row, 2) * k + at(m, row, 3);
}

/** The inverse of an affine whose last row is [0, 0, 0, 1]; refuses a singular one. */
export function invertAffine(m: Mat4): Mat4 {
  const [a, b, c, d, e, f, g, h, i] = [0, 1, 2, 4, 5, 6, 8, 9, 10].map((k) => m[k] ?? 0) as [number, number, number, number, number, number, number, number, number];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (Math.abs(det) < 1e-12) throw new RadbridgeError('DICOM_MALFORMED', 'the voxel-to-patient affine is singular');
  const r = [
    (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
    (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
    (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det,
  ] as [number, number, number, number, number, number, number, number, number];
  const t: Vec3 = [at(m, 0, 3), at(m, 1, 3), at(m, 2, 3)];
  const translate = (row: number) => -((r[row * 3] ?? 0) * t[0] + (r[row * 3 + 1] ?? 0) * t[1] + (r[row * 3 + 2] ?? 0) * t[2]);
  return [r[0], r[1], r[2], translate(0), r[3], r[4], r[5], translate(1), r[6], r[7], r[8], translate(2), 0, 0, 0, 1];
}

/** The affine that first scales voxel indices by `factors` (per axis), then applies m. */
export function scaleVoxelAxes(m: Mat4, factors: Vec3): Mat4 {
  return m.map((v, k) => (k < 12 && k % 4 < 3 ? v * (factors[k % 4] ?? 1) : v));
}

/** Volume of one voxel (mm³): the absolute determinant of the affine's 3x3 part, so tilt and spacing both count. */
export function voxelVolumeMm3(m: Mat4): number {
  const [a, b, c, d, e, f, g, h, i] = [0, 1, 2, 4, 5, 6, 8, 9, 10].map((k) => m[k] ?? 0) as [number, number, number, number, number, number, number, number, number];
  return Math.abs(a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g));
}

/** The axis-aligned patient-space box (min and max corners) holding the voxel-centre box `from`..`to`. */
export function patientBoxOf(m: Mat4, from: Vec3, to: Vec3): [[number, number, number], [number, number, number]] {
  const low: [number, number, number] = [Infinity, Infinity, Infinity];
  const high: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (const i of [from[0], to[0]]) {
    for (const j of [from[1], to[1]]) {
      for (const k of [from[2], to[2]]) {
        const p = transformPoint(m, [i, j, k]);
        for (const a of [0, 1, 2] as const) {
          low[a] = Math.min(low[a], p[a]);
          high[a] = Math.max(high[a], p[a]);
        }
      }
    }
  }
  return [low, high];
}

/** transformPoint as a plain [x, y, z] (a finding's PatientPoint). */
export function patientPoint(m: Mat4, p: Vec3): [number, number, number] {
  const [x, y, z] = transformPoint(m, p);
  return [x, y, z];
}
