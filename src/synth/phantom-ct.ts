/**
 * An analytic trauma CT phantom in patient coordinates (mm, LPS: +x patient left, +y posterior,
 * +z superior; the vertex is at z = 0). Tissues are ellipsoids and elliptic shells with fixed HU.
 */

export type Vec3 = [number, number, number];

export interface Ellipsoid {
  centre: Vec3;
  radii: Vec3;
}

export function insideEllipsoid(e: Ellipsoid, x: number, y: number, z: number): boolean {
  const dx = (x - e.centre[0]) / e.radii[0];
  const dy = (y - e.centre[1]) / e.radii[1];
  const dz = (z - e.centre[2]) / e.radii[2];
  return dx * dx + dy * dy + dz * dz <= 1;
}

export function grown(e: Ellipsoid, by: number): Ellipsoid {
  return { centre: e.centre, radii: [e.radii[0] + by, e.radii[1] + by, e.radii[2] + by] };
}

function insideEllipse(x: number, y: number, cx: number, cy: number, rx: number, ry: number): boolean {
  const dx = (x - cx) / rx;
  const dy = (y - cy) / ry;
  return dx * dx + dy * dy <= 1;
}

/** An elliptic cylinder shell (bony ring) between z limits. */
export interface Ring {
  rx: number;
  ry: number;
  thickness: number;
  zTop: number;
  zBottom: number;
}

export function insideRing(r: Ring, x: number, y: number, z: number): boolean {
  if (z > r.zTop || z < r.zBottom) return false;
  return insideEllipse(x, y, 0, 0, r.rx, r.ry) && !insideEllipse(x, y, 0, 0, r.rx - r.thickness, r.ry - r.thickness);
}

export const HU = {
  air: -1000,
  lung: -850,
  fat: -100,
  softTissue: 40,
  brain: 35,
  bone: 1000,
  cancellous: 250,
  liver: 60,
  liverContrast: 110,
  bloodPool: 45,
  bloodPoolContrast: 180,
  urine: 8,
  /** Below the diaphragm the space between organs is fat and bowel, so free fluid stands out. */
  abdominalFiller: -80,
} as const;

const ellipsoid = (centre: Vec3, radii: Vec3): Ellipsoid => ({ centre, radii });
const ring = (rx: number, ry: number, thickness: number, zTop: number, zBottom: number): Ring => ({ rx, ry, thickness, zTop, zBottom });

export const ANATOMY = {
  skull: ellipsoid([0, 0, -100], [75, 95, 100]),
  brain: ellipsoid([0, 0, -100], [67, 87, 92]),
  neck: { radius: 55, zTop: -180, zBottom: -280 },
  body: { rx: 170, ry: 110, fat: 10, zTop: -260, zBottom: -965 },
  spine: { radius: 16, cortex: 3, yNeck: 20, yTorso: 65, zTop: -185, zBottom: -965 },
  ribs: ring(152, 94, 8, -290, -560),
  pelvis: ring(140, 86, 8, -840, -960),
  lungRight: ellipsoid([-85, -5, -420], [55, 70, 125]),
  lungLeft: ellipsoid([85, -5, -420], [55, 70, 125]),
  heart: ellipsoid([0, -25, -470], [30, 40, 50]),
  liver: ellipsoid([-75, -10, -640], [65, 65, 70]),
  bladder: ellipsoid([0, -30, -900], [45, 35, 35]),
  diaphragmZ: -560,
};

/** A region that replaces whatever anatomy is there with its own HU. */
export interface FindingRegion {
  hu: number;
  contains(x: number, y: number, z: number): boolean;
}

export interface PhantomOptions {
  contrast: boolean;
  findings: FindingRegion[];
  /** Lungs as they are in this patient (a pneumothorax collapses one). */
  lungs: Ellipsoid[];
}

function spineHu(x: number, y: number, z: number): number | undefined {
  const s = ANATOMY.spine;
  if (z > s.zTop || z < s.zBottom) return undefined;
  const cy = z > ANATOMY.neck.zBottom ? s.yNeck : s.yTorso;
  // Math.hypot is never below either leg, so this cheap test rejects exactly what it would.
  if (Math.abs(x) > s.radius || Math.abs(y - cy) > s.radius) return undefined;
  const d = Math.hypot(x, y - cy);
  if (d > s.radius) return undefined;
  return d > s.radius - s.cortex ? HU.bone : HU.cancellous;
}

function headHu(x: number, y: number, z: number): number | undefined {
  if (!insideEllipsoid(ANATOMY.skull, x, y, z)) return undefined;
  return insideEllipsoid(ANATOMY.brain, x, y, z) ? HU.brain : HU.bone;
}

function torsoHu(o: PhantomOptions, x: number, y: number, z: number): number {
  const b = ANATOMY.body;
  if (!insideEllipse(x, y, 0, 0, b.rx - b.fat, b.ry - b.fat)) return HU.fat;
  if (insideRing(ANATOMY.ribs, x, y, z) || insideRing(ANATOMY.pelvis, x, y, z)) return HU.bone;
  for (const lung of o.lungs) if (insideEllipsoid(lung, x, y, z)) return HU.lung;
  if (insideEllipsoid(ANATOMY.heart, x, y, z)) return o.contrast ? HU.bloodPoolContrast : HU.bloodPool;
  if (insideEllipsoid(ANATOMY.liver, x, y, z)) return o.contrast ? HU.liverContrast : HU.liver;
  if (insideEllipsoid(ANATOMY.bladder, x, y, z)) return HU.urine;
  return z < ANATOMY.diaphragmZ ? HU.abdominalFiller : HU.softTissue;
}

/** The phantom's HU at a point, and the index of the finding that claims it (-1: none). */
export function phantomAt(o: PhantomOptions, x: number, y: number, z: number): { hu: number; finding: number } {
  for (let i = 0; i < o.findings.length; i++) {
    const f = o.findings[i];
    if (f?.contains(x, y, z)) return { hu: f.hu, finding: i };
  }
  const head = headHu(x, y, z);
  if (head !== undefined) return { hu: head, finding: -1 };
  const spine = spineHu(x, y, z);
  if (spine !== undefined) return { hu: spine, finding: -1 };
  const n = ANATOMY.neck;
  if (z <= n.zTop && z > n.zBottom) return { hu: Math.hypot(x, y - ANATOMY.spine.yNeck + 10) <= n.radius ? HU.softTissue : HU.air, finding: -1 };
  const b = ANATOMY.body;
  if (z <= b.zTop && z >= b.zBottom && insideEllipse(x, y, 0, 0, b.rx, b.ry)) return { hu: torsoHu(o, x, y, z), finding: -1 };
  return { hu: HU.air, finding: -1 };
}
