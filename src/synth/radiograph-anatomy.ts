import type { Shape, Xy } from './radiograph-shapes.js';
import { boxAxes } from './radiograph-shapes.js';
import type { SeededRandom } from './seeded-random.js';

export const XR_KINDS = ['xr-knee', 'xr-hip', 'xr-full-leg', 'xr-spine'] as const;
export type XrKind = (typeof XR_KINDS)[number];

const SOFT = 450;
const BONE = 1400;

/** A radiograph scene in image mm with its landmarks (see radiograph-shapes.ts for the frame). */
export interface RadiographScene {
  widthMm: number;
  heightMm: number;
  bodyPart: string;
  description: string;
  /** R, L or B (both). */
  laterality: 'R' | 'L' | 'B';
  shapes: Shape[];
  landmarks: Record<string, Xy>;
  axes: Record<string, { from: string; to: string }>;
  measurements: Record<string, number>;
  endplates?: { vertebra: string; upper: [Xy, Xy]; lower: [Xy, Xy] }[];
  cobb?: { upperEndVertebra: string; lowerEndVertebra: string; angleDeg: number };
}

const r1 = (v: number): number => Math.round(v * 10) / 10;
const angleDeg = (a: Xy, b: Xy): number => (Math.atan2(-(b[1] - a[1]), b[0] - a[0]) * 180) / Math.PI;

/** AP view: the patient's right is on the image's left. +1 moves toward the patient's left. */
const towardLeft = (side: 'R' | 'L'): number => (side === 'R' ? -1 : 1);

function knee(random: SeededRandom): RadiographScene {
  const side = random.pick(['R', 'L'] as const);
  const [cx, plateau] = [r1(random.between(92, 108)), r1(random.between(100, 112))];
  const medial = r1(random.between(2, 5));
  const lateral = r1(random.between(4.5, 8));
  const medialDir = -towardLeft(side);
  const condyle = (dir: number, gap: number): Shape => ({ kind: 'ellipse', centre: [cx + dir * 20, plateau - gap - 17], radii: [17, 17], attenuation: BONE });
  const shapes: Shape[] = [
    { kind: 'capsule', from: [cx, -20], to: [cx, 230], radius: 60, attenuation: SOFT },
    { kind: 'capsule', from: [cx, -20], to: [cx, plateau - 50], radius: 15, attenuation: BONE },
    { kind: 'box', centre: [cx, plateau - Math.max(medial, lateral) - 30], half: [37, 20], angleDeg: 0, attenuation: BONE },
    condyle(medialDir, medial),
    condyle(-medialDir, lateral),
    { kind: 'box', centre: [cx, plateau + 12], half: [39, 12], angleDeg: 0, attenuation: BONE },
    { kind: 'capsule', from: [cx, plateau + 20], to: [cx, 230], radius: 16, attenuation: BONE },
  ];
  return {
    widthMm: 200, heightMm: 200, bodyPart: 'KNEE', description: `KNEE AP ${side}`, laterality: side, shapes,
    landmarks: {
      kneeCentre: [cx, plateau], femoralShaftProximal: [cx, 5], tibialShaftDistal: [cx, 195],
      medialFemurBottom: [cx + medialDir * 20, plateau - medial], medialTibiaTop: [cx + medialDir * 20, plateau],
      lateralFemurBottom: [cx - medialDir * 20, plateau - lateral], lateralTibiaTop: [cx - medialDir * 20, plateau],
    },
    axes: { femoralAxis: { from: 'femoralShaftProximal', to: 'kneeCentre' }, tibialAxis: { from: 'kneeCentre', to: 'tibialShaftDistal' } },
    measurements: { medialJointSpaceWidthMm: medial, lateralJointSpaceWidthMm: lateral },
  };
}

function hipJoint(side: 'R' | 'L', centre: Xy, jsw: number): Shape[] {
  const lateral = towardLeft(side) * -1;
  const neckEnd: Xy = [centre[0] + lateral * 35, centre[1] + 40];
  return [
    { kind: 'ellipse', centre, radii: [24, 24], attenuation: BONE },
    { kind: 'roof', centre, inner: 24 + jsw, outer: 24 + jsw + 10, attenuation: BONE },
    { kind: 'capsule', from: centre, to: neckEnd, radius: 14, attenuation: BONE },
    { kind: 'capsule', from: neckEnd, to: [neckEnd[0] + lateral * 5, 320], radius: 16, attenuation: BONE },
  ];
}

function hip(random: SeededRandom): RadiographScene {
  const y = r1(random.between(140, 160));
  const right: Xy = [r1(200 - random.between(85, 95)), y];
  const left: Xy = [r1(200 + random.between(85, 95)), y];
  const [jswR, jswL] = [r1(random.between(1.5, 5)), r1(random.between(1.5, 5))];
  const shapes: Shape[] = [
    { kind: 'ellipse', centre: [200, 150], radii: [185, 160], attenuation: SOFT },
    { kind: 'ellipse', centre: [110, 70], radii: [62, 38], attenuation: BONE },
    { kind: 'ellipse', centre: [290, 70], radii: [62, 38], attenuation: BONE },
    { kind: 'box', centre: [200, 80], half: [30, 45], angleDeg: 0, attenuation: BONE },
    { kind: 'capsule', from: [140, 215], to: [260, 215], radius: 9, attenuation: BONE },
    ...hipJoint('R', right, jswR),
    ...hipJoint('L', left, jswL),
  ];
  return {
    widthMm: 400, heightMm: 300, bodyPart: 'PELVIS', description: 'PELVIS AP', laterality: 'B', shapes,
    landmarks: {
      hipCentreRight: right, hipCentreLeft: left,
      femoralHeadTopRight: [right[0], y - 24], acetabularRoofRight: [right[0], y - 24 - jswR],
      femoralHeadTopLeft: [left[0], y - 24], acetabularRoofLeft: [left[0], y - 24 - jswL],
    },
    axes: { interHipLine: { from: 'hipCentreRight', to: 'hipCentreLeft' } },
    measurements: { jointSpaceWidthRightMm: jswR, jointSpaceWidthLeftMm: jswL, interHipDistanceMm: r1(left[0] - right[0]) },
  };
}

function leg(side: 'R' | 'L', hipCentre: Xy, knee: Xy, ankle: Xy): Shape[] {
  return [
    { kind: 'capsule', from: hipCentre, to: knee, radius: 45, attenuation: SOFT },
    { kind: 'capsule', from: knee, to: ankle, radius: 35, attenuation: SOFT },
    { kind: 'ellipse', centre: hipCentre, radii: [24, 24], attenuation: BONE },
    { kind: 'capsule', from: hipCentre, to: [knee[0], knee[1] - 25], radius: 13, attenuation: BONE },
    { kind: 'box', centre: [knee[0], knee[1] - 18], half: [36, 14], angleDeg: 0, attenuation: BONE },
    { kind: 'box', centre: [knee[0], knee[1] + 16], half: [36, 12], angleDeg: 0, attenuation: BONE },
    { kind: 'capsule', from: [knee[0], knee[1] + 25], to: ankle, radius: 12, attenuation: BONE },
    { kind: 'ellipse', centre: [ankle[0], ankle[1] + 12], radii: [22, 10], attenuation: BONE },
    { kind: 'ellipse', centre: [hipCentre[0] - towardLeft(side) * 20, hipCentre[1] - 60], radii: [45, 35], attenuation: BONE },
  ];
}

function fullLeg(random: SeededRandom): RadiographScene {
  const landmarks: Record<string, Xy> = {};
  const shapes: Shape[] = [];
  const measurements: Record<string, number> = {};
  const axes: RadiographScene['axes'] = {};
  for (const side of ['R', 'L'] as const) {
    const out = towardLeft(side);
    const name = side === 'R' ? 'Right' : 'Left';
    const hipC: Xy = [r1(200 + out * random.between(85, 95)), r1(random.between(140, 160))];
    const kneeC: Xy = [r1(200 + out * random.between(55, 85)), r1(hipC[1] + random.between(420, 470))];
    const ankleC: Xy = [r1(200 + out * random.between(65, 80)), r1(kneeC[1] + random.between(350, 390))];
    shapes.push(...leg(side, hipC, kneeC, ankleC));
    Object.assign(landmarks, { [`hipCentre${name}`]: hipC, [`kneeCentre${name}`]: kneeC, [`ankleCentre${name}`]: ankleC });
    axes[`femoralMechanicalAxis${name}`] = { from: `hipCentre${name}`, to: `kneeCentre${name}` };
    axes[`tibialMechanicalAxis${name}`] = { from: `kneeCentre${name}`, to: `ankleCentre${name}` };
    measurements[`hipKneeAngle${name}Deg`] = r1(180 - Math.abs(angleDeg(hipC, kneeC) - angleDeg(kneeC, ankleC)));
    measurements[`legLength${name}Mm`] = r1(Math.hypot(ankleC[0] - hipC[0], ankleC[1] - hipC[1]));
  }
  measurements.legLengthDiscrepancyMm = r1(Math.abs((measurements.legLengthRightMm ?? 0) - (measurements.legLengthLeftMm ?? 0)));
  return { widthMm: 400, heightMm: 1100, bodyPart: 'LEG', description: 'BILATERAL FULL LEG AP STANDING', laterality: 'B', shapes, landmarks, axes, measurements };
}

const VERTEBRAE = ['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9', 'T10', 'T11', 'T12', 'L1', 'L2', 'L3', 'L4', 'L5'];

function spine(random: SeededRandom): RadiographScene {
  const amplitude = r1(random.between(10, 30)) * random.pick([1, -1] as const);
  const centres: number[] = [];
  let y = 25;
  VERTEBRAE.forEach((_v, i) => {
    const h = 14 + (8 * i) / 16;
    centres.push(y + h / 2);
    y += h + 5;
  });
  const [yA, yB] = [centres[3] ?? 0, centres[13] ?? 0];
  const offset = (v: number): number => (v < yA || v > yB ? 0 : amplitude * Math.sin((Math.PI * (v - yA)) / (yB - yA)));
  const slope = (v: number): number => (v < yA || v > yB ? 0 : ((amplitude * Math.PI) / (yB - yA)) * Math.cos((Math.PI * (v - yA)) / (yB - yA)));
  const shapes: Shape[] = [{ kind: 'box', centre: [150, 225], half: [120, 240], angleDeg: 0, attenuation: SOFT }];
  const endplates: NonNullable<RadiographScene['endplates']> = [];
  VERTEBRAE.forEach((vertebra, i) => {
    const cy = centres[i] ?? 0;
    const centre: Xy = [150 + offset(cy), cy];
    const half: Xy = [15 + (10 * i) / 16, (14 + (8 * i) / 16) / 2];
    const tilt = (Math.atan(slope(cy)) * 180) / Math.PI;
    shapes.push({ kind: 'box', centre, half, angleDeg: tilt, attenuation: BONE });
    const { u, v } = boxAxes(tilt);
    const at = (a: number, b: number): Xy => [r1(centre[0] + a * half[0] * u[0] + b * half[1] * v[0]), r1(centre[1] + a * half[0] * u[1] + b * half[1] * v[1])];
    endplates.push({ vertebra, upper: [at(-1, -1), at(1, -1)], lower: [at(-1, 1), at(1, 1)] });
  });
  const tilts = endplates.map((e) => angleDeg(e.upper[0], e.upper[1]));
  const [steepest, flattest] = [tilts.indexOf(Math.max(...tilts)), tilts.indexOf(Math.min(...tilts))];
  const [upper, lower] = [Math.min(steepest, flattest), Math.max(steepest, flattest)];
  const cobbAngleDeg = r1(Math.max(...tilts) - Math.min(...tilts));
  return {
    widthMm: 300, heightMm: 450, bodyPart: 'SPINE', description: 'WHOLE SPINE AP', laterality: 'B', shapes, endplates,
    landmarks: { upperEndVertebraUpperEndplateMid: midpoint(endplates[upper]?.upper), lowerEndVertebraLowerEndplateMid: midpoint(endplates[lower]?.lower) },
    axes: {},
    measurements: { cobbAngleDeg },
    cobb: { upperEndVertebra: VERTEBRAE[upper] ?? '', lowerEndVertebra: VERTEBRAE[lower] ?? '', angleDeg: cobbAngleDeg },
  };
}

function midpoint(pair: [Xy, Xy] | undefined): Xy {
  if (!pair) return [0, 0];
  return [r1((pair[0][0] + pair[1][0]) / 2), r1((pair[0][1] + pair[1][1]) / 2)];
}

export function radiographScene(kind: XrKind, random: SeededRandom): RadiographScene {
  switch (kind) {
    case 'xr-knee':
      return knee(random);
    case 'xr-hip':
      return hip(random);
    case 'xr-full-leg':
      return fullLeg(random);
    case 'xr-spine':
      return spine(random);
  }
}
