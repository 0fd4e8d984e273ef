import type { CtFindingType, Side } from './ground-truth.js';
import { ANATOMY, HU, grown, insideEllipsoid, insideRing, type Ellipsoid, type FindingRegion, type Ring, type Vec3 } from './phantom-ct.js';
import type { SeededRandom } from './seeded-random.js';

export type CtRegion = 'head' | 'chest' | 'abdomen';

/** A finding to inject: its region, its HU and where a small ROI should find it. */
export interface CtFindingSpec extends FindingRegion {
  id: string;
  type: CtFindingType;
  side: Side;
  probe: Vec3;
  /** A box surely holding the whole region, for measuring it. */
  box: [Vec3, Vec3];
  surroundingHu?: number;
  bone?: string;
}

export interface CtFindingPlan {
  findings: CtFindingSpec[];
  lungs: Ellipsoid[];
}

/** +1 for patient left (+x in LPS), -1 for patient right. */
const sign = (side: Side): number => (side === 'left' ? 1 : -1);
const round1 = (v: number): number => Math.round(v * 10) / 10;

function boxOf(e: Ellipsoid, margin: number): [Vec3, Vec3] {
  const [cx, cy, cz] = e.centre;
  const [rx, ry, rz] = e.radii;
  return [
    [cx - rx - margin, cy - ry - margin, cz - rz - margin],
    [cx + rx + margin, cy + ry + margin, cz + rz + margin],
  ];
}

function haemorrhage(random: SeededRandom, side: Side): CtFindingSpec {
  const r = round1(random.between(8, 14));
  const blob: Ellipsoid = { centre: [sign(side) * 35, -15, -75], radii: [r, round1(r * 1.2), round1(r * 0.9)] };
  return {
    id: 'ich-1', type: 'intracranial-haemorrhage', side, hu: Math.round(random.between(62, 78)), probe: blob.centre, box: boxOf(blob, 1),
    contains: (x, y, z) => insideEllipsoid(blob, x, y, z),
  };
}

/** Half-width of an axis-aligned ellipsoid along x at (y, z); 0 when outside. */
function halfWidthX(e: Ellipsoid, y: number, z: number): number {
  const dy = (y - e.centre[1]) / e.radii[1];
  const dz = (z - e.centre[2]) / e.radii[2];
  return e.radii[0] * Math.sqrt(Math.max(0, 1 - dy * dy - dz * dz));
}

/** A fracture line: a slab of width `width` across a bony shell, `length` long along z, on one side. */
function corticalBreak(random: SeededRandom, side: Side, bone: string, inBone: (x: number, y: number, z: number) => boolean, probeX: number, z0: number): CtFindingSpec {
  const width = round1(random.between(4, 6));
  const length = round1(random.between(24, 36));
  const s = sign(side);
  return {
    id: `break-${bone}`, type: 'cortical-break', side, bone, hu: HU.softTissue, surroundingHu: HU.bone,
    probe: [round1(s * probeX), 0, z0],
    box: [[s > 0 ? 0 : -200, -width, z0 - length / 2 - 1], [s > 0 ? 200 : 0, width, z0 + length / 2 + 1]],
    contains: (x, y, z) => x * s > 0 && Math.abs(y) <= width / 2 && Math.abs(z - z0) <= length / 2 && inBone(x, y, z),
  };
}

function ringBreak(random: SeededRandom, side: Side, bone: string, ring: Ring): CtFindingSpec {
  const z0 = Math.round(random.between(ring.zBottom + 25, ring.zTop - 25));
  return corticalBreak(random, side, bone, (x, y, z) => insideRing(ring, x, y, z), ring.rx - ring.thickness / 2, z0);
}

function skullBreak(random: SeededRandom, side: Side): CtFindingSpec {
  const z0 = Math.round(random.between(-90, -50));
  const mid = (halfWidthX(ANATOMY.skull, 0, z0) + halfWidthX(ANATOMY.brain, 0, z0)) / 2;
  return corticalBreak(random, side, 'skull', (x, y, z) => insideEllipsoid(ANATOMY.skull, x, y, z) && !insideEllipsoid(ANATOMY.brain, x, y, z), mid, z0);
}

function pneumothorax(random: SeededRandom, side: Side, lung: Ellipsoid): { finding: CtFindingSpec; collapsed: Ellipsoid } {
  const depth = round1(random.between(12, 22));
  const [cx, cy, cz] = lung.centre;
  const [rx, ry, rz] = lung.radii;
  const collapsed: Ellipsoid = { centre: [cx - sign(side) * depth / 2, cy + depth / 4, cz], radii: [rx - depth, ry - depth / 2, rz - depth / 4] };
  const lateralEdge = cx + sign(side) * rx;
  const collapsedEdge = collapsed.centre[0] + sign(side) * halfWidthX(collapsed, cy, cz);
  return {
    collapsed,
    finding: {
      id: 'ptx-1', type: 'pneumothorax', side, hu: HU.air, probe: [round1((lateralEdge + collapsedEdge) / 2), cy, cz], box: boxOf(lung, 1),
      contains: (x, y, z) => insideEllipsoid(lung, x, y, z) && !insideEllipsoid(collapsed, x, y, z),
    },
  };
}

function haemothorax(random: SeededRandom, side: Side, lung: Ellipsoid): CtFindingSpec {
  const depth = round1(random.between(18, 30));
  const level = lung.centre[1] + lung.radii[1] - depth;
  return {
    id: 'htx-1', type: 'haemothorax', side, hu: Math.round(random.between(38, 46)),
    probe: [lung.centre[0], round1(level + depth / 2), lung.centre[2]], box: boxOf(lung, 1),
    contains: (x, y, z) => y >= level && insideEllipsoid(lung, x, y, z),
  };
}

function perihepaticFluid(random: SeededRandom): CtFindingSpec {
  const t = round1(random.between(7, 12));
  const liver = ANATOMY.liver;
  const outer = grown(liver, t);
  const medialLimit = liver.centre[0] + 20;
  return {
    id: 'hpe-1', type: 'haemoperitoneum', side: 'right', hu: Math.round(random.between(32, 44)),
    probe: [round1(liver.centre[0] - liver.radii[0] - t / 2), liver.centre[1], liver.centre[2]], box: boxOf(outer, 1),
    contains: (x, y, z) => x <= medialLimit && insideEllipsoid(outer, x, y, z) && !insideEllipsoid(liver, x, y, z),
  };
}

function pelvicFluid(random: SeededRandom): CtFindingSpec {
  const t = round1(random.between(7, 12));
  const bladder = ANATOMY.bladder;
  const outer = grown(bladder, t);
  return {
    id: 'pff-1', type: 'pelvic-free-fluid', side: 'midline', hu: Math.round(random.between(32, 44)),
    probe: [bladder.centre[0], round1(bladder.centre[1] + bladder.radii[1] + t / 2), bladder.centre[2]], box: boxOf(outer, 1),
    contains: (x, y, z) => y > bladder.centre[1] && insideEllipsoid(outer, x, y, z) && !insideEllipsoid(bladder, x, y, z),
  };
}

/** The findings of a trauma CT covering the given regions; none for a normal control. */
export function planFindings(random: SeededRandom, regions: CtRegion[], normal: boolean): CtFindingPlan {
  const findings: CtFindingSpec[] = [];
  let lungs: Ellipsoid[] = [ANATOMY.lungRight, ANATOMY.lungLeft];
  if (normal) return { findings, lungs };
  if (regions.includes('head')) {
    findings.push(haemorrhage(random, random.pick(['left', 'right'] as const)));
    findings.push(skullBreak(random, random.pick(['left', 'right'] as const)));
  }
  if (regions.includes('chest')) {
    const ptxSide = random.pick(['left', 'right'] as const);
    const htxSide: Side = ptxSide === 'left' ? 'right' : 'left';
    const ptxLung = ptxSide === 'left' ? ANATOMY.lungLeft : ANATOMY.lungRight;
    const htxLung = htxSide === 'left' ? ANATOMY.lungLeft : ANATOMY.lungRight;
    const { finding, collapsed } = pneumothorax(random, ptxSide, ptxLung);
    findings.push(finding, haemothorax(random, htxSide, htxLung), ringBreak(random, random.pick(['left', 'right'] as const), 'rib', ANATOMY.ribs));
    lungs = [collapsed, htxLung];
  }
  if (regions.includes('abdomen')) {
    findings.push(perihepaticFluid(random), pelvicFluid(random), ringBreak(random, random.pick(['left', 'right'] as const), 'pelvis', ANATOMY.pelvis));
  }
  return { findings, lungs };
}
