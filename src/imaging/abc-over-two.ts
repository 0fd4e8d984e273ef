/**
 * The ABC/2 volume estimate of a collection (Kothari et al., Stroke 1996), pure: on the axial slice
 * where the collection's area is largest, A is its largest diameter and B its largest extent
 * perpendicular to A; C is its craniocaudal extent, the number of slices it appears on times the
 * slice spacing. Diameters run between pixel centres plus one pixel, so a disc of radius r gives 2r.
 */

export interface AbcOverTwo {
  aMm: number;
  bMm: number;
  cMm: number;
  volumeMl: number;
  /** The slice index A and B were measured on. */
  slice: number;
}

type Point = [number, number];

const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** Convex hull by the monotone chain, points sorted by x then y. */
function convexHull(points: Point[]): Point[] {
  const sorted = [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  if (sorted.length < 3) return sorted;
  const chain = (list: Point[]): Point[] => {
    const out: Point[] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2] as Point, out[out.length - 1] as Point, p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...chain(sorted), ...chain([...sorted].reverse())];
}

/** The longest chord of the hull and the hull's extent perpendicular to it. */
function diameters(hull: Point[]): { a: number; b: number } {
  let a = 0;
  let direction: Point = [1, 0];
  for (let m = 0; m < hull.length; m++) {
    for (let n = m + 1; n < hull.length; n++) {
      const p = hull[m] as Point;
      const q = hull[n] as Point;
      const d = Math.hypot(q[0] - p[0], q[1] - p[1]);
      if (d > a) {
        a = d;
        direction = [(q[0] - p[0]) / d, (q[1] - p[1]) / d];
      }
    }
  }
  const along = hull.map((p) => -p[0] * direction[1] + p[1] * direction[0]);
  return { a, b: along.length > 0 ? Math.max(...along) - Math.min(...along) : 0 };
}

/** The voxels of a run-length mask (FindingMask order) by slice, as in-plane (i, j) indices. */
function pixelsBySlice(runs: readonly number[], nx: number, ny: number): Map<number, Point[]> {
  const bySlice = new Map<number, Point[]>();
  let at = 0;
  for (let r = 0; r < runs.length; r += 2) {
    at += runs[r] ?? 0;
    const end = at + (runs[r + 1] ?? 0);
    for (let v = at; v < end; v++) {
      const i = v % nx;
      const j = Math.floor(v / nx) % ny;
      const k = Math.floor(v / (nx * ny));
      const list = bySlice.get(k) ?? [];
      if (list.length === 0) bySlice.set(k, list);
      list.push([i, j]);
    }
    at = end;
  }
  return bySlice;
}

export function abcOverTwo(runs: readonly number[], dims: readonly [number, number, number], spacing: readonly [number, number, number]): AbcOverTwo {
  const [nx, ny] = dims;
  const [sx, sy, sz] = spacing;
  const bySlice = pixelsBySlice(runs, nx, ny);
  let slice = -1;
  let pixels: Point[] = [];
  for (const [k, list] of bySlice) {
    if (list.length > pixels.length) {
      slice = k;
      pixels = list;
    }
  }
  const hull = convexHull(pixels.map(([i, j]): Point => [i * sx, j * sy]));
  const { a, b } = diameters(hull);
  const pixel = (sx + sy) / 2;
  const aMm = pixels.length > 0 ? a + pixel : 0;
  const bMm = pixels.length > 0 ? b + pixel : 0;
  const cMm = bySlice.size * sz;
  return { aMm, bMm, cMm, volumeMl: (aMm * bMm * cMm) / 2 / 1000, slice };
}
