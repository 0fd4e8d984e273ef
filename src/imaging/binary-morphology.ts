/**
 * Binary morphology on one slice (a plane of `nx` x `ny` bytes, 1 = set, columns fastest). Square
 * structuring elements are applied separably with running counts, so the cost does not grow with
 * the radius. Pure.
 */

export interface Plane {
  nx: number;
  ny: number;
}

/** Along one line of `n` values at `start`, `start + step`, ...: out = 1 where any (dilate) or every (erode) value within `r` is set. */
function filterLine(src: Uint8Array, out: Uint8Array, start: number, step: number, n: number, r: number, every: boolean): void {
  let count = 0;
  let window = Math.min(n, r);
  for (let t = 0; t < window; t++) count += src[start + t * step] ?? 0;
  for (let t = 0; t < n; t++) {
    const enter = t + r;
    if (enter < n) {
      count += src[start + enter * step] ?? 0;
      window++;
    }
    const leave = t - r - 1;
    if (leave >= 0) {
      count -= src[start + leave * step] ?? 0;
      window--;
    }
    // Beyond the edge counts as set for erosion, so the border of the image does not erode.
    out[start + t * step] = every ? (count === window ? 1 : 0) : count > 0 ? 1 : 0;
  }
}

function squareFilter(plane: Uint8Array, p: Plane, r: number, every: boolean): Uint8Array {
  if (r <= 0) return plane.slice();
  const rows = new Uint8Array(plane.length);
  for (let j = 0; j < p.ny; j++) filterLine(plane, rows, j * p.nx, 1, p.nx, r, every);
  const out = new Uint8Array(plane.length);
  for (let i = 0; i < p.nx; i++) filterLine(rows, out, i, p.nx, p.ny, r, every);
  return out;
}

/** Dilation by a (2r+1)-pixel square. */
export const dilateSquare = (plane: Uint8Array, p: Plane, r: number): Uint8Array => squareFilter(plane, p, r, false);

/** Erosion by a (2r+1)-pixel square. */
export const erodeSquare = (plane: Uint8Array, p: Plane, r: number): Uint8Array => squareFilter(plane, p, r, true);

/** Closing (dilation then erosion) by a (2r+1)-pixel square: bridges gaps up to 2r pixels wide. */
export const closeSquare = (plane: Uint8Array, p: Plane, r: number): Uint8Array => erodeSquare(dilateSquare(plane, p, r), p, r);

/** 3x3 majority (binary median): set where at least 5 of the 9 pixels around it are, counting outside as unset. */
export function majority3x3(plane: Uint8Array, p: Plane): Uint8Array {
  const out = new Uint8Array(plane.length);
  for (let j = 0; j < p.ny; j++) {
    for (let i = 0; i < p.nx; i++) {
      let count = 0;
      for (let b = Math.max(0, j - 1); b <= Math.min(p.ny - 1, j + 1); b++) {
        for (let a = Math.max(0, i - 1); a <= Math.min(p.nx - 1, i + 1); a++) count += plane[a + p.nx * b] ?? 0;
      }
      out[i + p.nx * j] = count >= 5 ? 1 : 0;
    }
  }
  return out;
}

/** The pixels not in `wall` that no 4-connected path of non-wall pixels joins to the image border. */
export function enclosedBy(wall: Uint8Array, p: Plane): Uint8Array {
  const outside = new Uint8Array(wall.length);
  const stack: number[] = [];
  const visit = (v: number): void => {
    if (wall[v] || outside[v]) return;
    outside[v] = 1;
    stack.push(v);
  };
  for (let i = 0; i < p.nx; i++) {
    visit(i);
    visit(i + p.nx * (p.ny - 1));
  }
  for (let j = 0; j < p.ny; j++) {
    visit(p.nx * j);
    visit(p.nx - 1 + p.nx * j);
  }
  while (stack.length > 0) {
    const v = stack.pop() ?? 0;
    const i = v % p.nx;
    const j = (v - i) / p.nx;
    if (i > 0) visit(v - 1);
    if (i < p.nx - 1) visit(v + 1);
    if (j > 0) visit(v - p.nx);
    if (j < p.ny - 1) visit(v + p.nx);
  }
  const enclosed = new Uint8Array(wall.length);
  for (let v = 0; v < wall.length; v++) enclosed[v] = wall[v] || outside[v] ? 0 : 1;
  return enclosed;
}
