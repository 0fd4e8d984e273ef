import type { Vec3 } from './slice-geometry.js';

/**
 * Least-squares fit of an axis-aligned ellipsoid A x² + B y² + C z² + D x + E y + F z = 1 to points
 * given one at a time, in coordinates relative to a reference point inside it (so the constant
 * term is never zero). Pure.
 */

export interface Ellipsoid {
  centre: Vec3;
  radii: Vec3;
}

export interface EllipsoidFit {
  add(point: Vec3): void;
  /** The ellipsoid, or undefined when the points do not bound one (too few, or a saddle). */
  result(): Ellipsoid | undefined;
}

const SCALE_MM = 100;

/** Solves a square system by Gaussian elimination with partial pivoting; undefined when singular. */
function solve(matrix: number[][], rhs: number[]): number[] | undefined {
  const n = rhs.length;
  const a = matrix.map((row, r) => [...row, rhs[r] ?? 0]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]?.[c] ?? 0) > Math.abs(a[pivot]?.[c] ?? 0)) pivot = r;
    const top = a[pivot];
    if (!top || Math.abs(top[c] ?? 0) < 1e-12) return undefined;
    [a[c], a[pivot]] = [top, a[c] ?? top];
    for (let r = 0; r < n; r++) {
      const row = a[r];
      if (r === c || !row) continue;
      const f = (row[c] ?? 0) / (top[c] ?? 1);
      for (let k = c; k <= n; k++) row[k] = (row[k] ?? 0) - f * (top[k] ?? 0);
    }
  }
  return a.map((row, r) => (row[n] ?? 0) / (row[r] ?? 1));
}

export function ellipsoidFit(reference: Vec3): EllipsoidFit {
  const normal = Array.from({ length: 6 }, () => new Array<number>(6).fill(0));
  const rhs = new Array<number>(6).fill(0);
  let count = 0;
  return {
    add(point) {
      const x = (point[0] - reference[0]) / SCALE_MM;
      const y = (point[1] - reference[1]) / SCALE_MM;
      const z = (point[2] - reference[2]) / SCALE_MM;
      const row = [x * x, y * y, z * z, x, y, z];
      for (let r = 0; r < 6; r++) {
        const nr = normal[r];
        if (!nr) continue;
        rhs[r] = (rhs[r] ?? 0) + (row[r] ?? 0);
        for (let c = 0; c < 6; c++) nr[c] = (nr[c] ?? 0) + (row[r] ?? 0) * (row[c] ?? 0);
      }
      count++;
    },
    result() {
      if (count < 12) return undefined;
      const s = solve(normal, rhs);
      if (!s) return undefined;
      const [a, b, c, d, e, f] = s as [number, number, number, number, number, number];
      if (a <= 0 || b <= 0 || c <= 0) return undefined;
      const g = 1 + (d * d) / (4 * a) + (e * e) / (4 * b) + (f * f) / (4 * c);
      const centre: Vec3 = [reference[0] - (SCALE_MM * d) / (2 * a), reference[1] - (SCALE_MM * e) / (2 * b), reference[2] - (SCALE_MM * f) / (2 * c)];
      return { centre, radii: [SCALE_MM * Math.sqrt(g / a), SCALE_MM * Math.sqrt(g / b), SCALE_MM * Math.sqrt(g / c)] };
    },
  };
}

export function insideEllipsoid(e: Ellipsoid, p: Vec3): boolean {
  const dx = (p[0] - e.centre[0]) / e.radii[0];
  const dy = (p[1] - e.centre[1]) / e.radii[1];
  const dz = (p[2] - e.centre[2]) / e.radii[2];
  return dx * dx + dy * dy + dz * dz <= 1;
}
