/**
 * Projection shapes for synthetic radiographs, in image mm: x to the right along a row, y down
 * along a column, (0, 0) at the centre of the top-left pixel. Each shape adds its attenuation.
 */

export type Xy = [number, number];

export type Shape =
  | { kind: 'capsule'; from: Xy; to: Xy; radius: number; attenuation: number }
  | { kind: 'ellipse'; centre: Xy; radii: Xy; attenuation: number }
  /** A rectangle turned by `angleDeg` (counter-clockwise on screen) about its centre. */
  | { kind: 'box'; centre: Xy; half: Xy; angleDeg: number; attenuation: number }
  /** The part of an annulus above a horizontal line through its centre (an acetabular roof). */
  | { kind: 'roof'; centre: Xy; inner: number; outer: number; attenuation: number };

function distanceToSegment(p: Xy, a: Xy, b: Xy): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

/** Unit vectors of a box turned by angleDeg: along its width (u) and its height (v), screen y down. */
export function boxAxes(angleDeg: number): { u: Xy; v: Xy } {
  const a = (angleDeg * Math.PI) / 180;
  return { u: [Math.cos(a), -Math.sin(a)], v: [Math.sin(a), Math.cos(a)] };
}

export function insideShape(s: Shape, p: Xy): boolean {
  switch (s.kind) {
    case 'capsule':
      return distanceToSegment(p, s.from, s.to) <= s.radius;
    case 'ellipse':
      return ((p[0] - s.centre[0]) / s.radii[0]) ** 2 + ((p[1] - s.centre[1]) / s.radii[1]) ** 2 <= 1;
    case 'box': {
      const { u, v } = boxAxes(s.angleDeg);
      const d: Xy = [p[0] - s.centre[0], p[1] - s.centre[1]];
      return Math.abs(d[0] * u[0] + d[1] * u[1]) <= s.half[0] && Math.abs(d[0] * v[0] + d[1] * v[1]) <= s.half[1];
    }
    case 'roof': {
      const r = Math.hypot(p[0] - s.centre[0], p[1] - s.centre[1]);
      return p[1] <= s.centre[1] && r >= s.inner && r <= s.outer;
    }
  }
}

export interface RadiographRender {
  rows: number;
  columns: number;
  spacingMm: number;
  shapes: Shape[];
  monochrome1: boolean;
  noise: () => number;
}

/** Background (direct exposure) level before attenuation, in 12-bit stored values for MONOCHROME2. */
const BACKGROUND = 200;

export function renderRadiograph(r: RadiographRender): Uint16Array {
  const pixels = new Uint16Array(r.rows * r.columns);
  for (let row = 0; row < r.rows; row++) {
    for (let col = 0; col < r.columns; col++) {
      const p: Xy = [col * r.spacingMm, row * r.spacingMm];
      let value = BACKGROUND;
      for (const s of r.shapes) if (insideShape(s, p)) value += s.attenuation;
      const stored = Math.min(4095, Math.max(0, Math.round(value + r.noise())));
      pixels[row * r.columns + col] = r.monochrome1 ? 4095 - stored : stored;
    }
  }
  return pixels;
}
