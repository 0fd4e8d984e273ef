import { majority3x3 } from './binary-morphology.js';
import type { Volume } from './volume.js';
import { patientPoint } from './voxel-affine.js';

/**
 * Midline shift on axial head CT, pure. On each slice the ideal midline joins the anterior and
 * posterior attachments of the falx, taken as the middle of the intracranial space over its first
 * and last `attachmentMm` (the inner table at the front and back). The midline structure measured
 * is the septum pellucidum: on a row, a strip of tissue `septumMm` wide between two runs of CSF
 * (`csfHu`, 3x3 majority filtered) at least `hornMm` wide, within `searchMm` of the ideal line.
 * A slice counts with the septum on at least `minRowsMm` of rows; its shift is the median over
 * them of septum x minus ideal x (patient x: + is towards the patient's left). The reported shift
 * is that of the slice where it is largest, as midline shift is read at the level of the septum.
 */

export interface MidlineOptions {
  csfHu: [number, number];
  attachmentMm: number;
  septumMm: [number, number];
  hornMm: number;
  searchMm: number;
  minRowsMm: number;
}

export const MIDLINE_DEFAULTS: MidlineOptions = { csfHu: [0, 20], attachmentMm: 5, septumMm: [0.5, 6], hornMm: 2, searchMm: 20, minRowsMm: 6 };

export interface MidlineShift {
  /** Septum x minus ideal midline x, mm; + is towards the patient's left. */
  shiftMm: number;
  slice: number;
  /** Where the septum and the ideal midline were found on that slice (patient LPS mm, at the median row). */
  septum: [number, number, number];
  ideal: [number, number, number];
  /** Rows of that slice the septum was seen on. */
  rows: number;
}

interface Line {
  /** Ideal midline column at row j. */
  at(j: number): number;
  from: number;
  to: number;
}

/** Middle of the mask's extent on rows j0..j1 of a slice plane, or undefined. */
function middleOf(mask: Uint8Array, offset: number, nx: number, j0: number, j1: number): number | undefined {
  let sum = 0;
  let rows = 0;
  for (let j = j0; j <= j1; j++) {
    let first = -1;
    let last = -1;
    for (let i = 0; i < nx; i++) {
      if (!mask[offset + i + nx * j]) continue;
      if (first < 0) first = i;
      last = i;
    }
    if (first < 0) continue;
    sum += (first + last) / 2;
    rows++;
  }
  return rows > 0 ? sum / rows : undefined;
}

function idealLine(mask: Uint8Array, volume: Volume, k: number, o: MidlineOptions): Line | undefined {
  const [nx, ny] = volume.dims;
  const offset = nx * ny * k;
  let from = -1;
  let to = -1;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      if (!mask[offset + i + nx * j]) continue;
      if (from < 0) from = j;
      to = j;
      break;
    }
  }
  const band = Math.max(1, Math.round(o.attachmentMm / volume.spacing[1]));
  if (from < 0 || to - from < 4 * band) return undefined;
  const front = middleOf(mask, offset, nx, from, from + band - 1);
  const back = middleOf(mask, offset, nx, to - band + 1, to);
  if (front === undefined || back === undefined) return undefined;
  return { at: (j) => front + ((back - front) * (j - from)) / (to - from), from, to };
}

/** Column of the septum on one CSF row near `ideal`, or undefined. */
function septumOnRow(csf: Uint8Array, row: number, nx: number, ideal: number, o: MidlineOptions, sx: number): number | undefined {
  const low = Math.max(0, Math.floor(ideal - o.searchMm / sx));
  const high = Math.min(nx - 1, Math.ceil(ideal + o.searchMm / sx));
  const runs: Array<[number, number]> = [];
  for (let i = low; i <= high; i++) {
    if (!csf[row + i]) continue;
    const start = i;
    while (i + 1 <= high && csf[row + i + 1]) i++;
    if ((i - start + 1) * sx >= o.hornMm) runs.push([start, i]);
  }
  let best: number | undefined;
  for (let r = 1; r < runs.length; r++) {
    const end = runs[r - 1]?.[1] ?? 0;
    const start = runs[r]?.[0] ?? 0;
    const gap = (start - end - 1) * sx;
    if (gap < o.septumMm[0] || gap > o.septumMm[1]) continue;
    const centre = (end + start) / 2;
    if (best === undefined || Math.abs(centre - ideal) < Math.abs(best - ideal)) best = centre;
  }
  return best;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[m] ?? 0) : ((sorted[m - 1] ?? 0) + (sorted[m] ?? 0)) / 2;
};

function sliceShift(volume: Volume, mask: Uint8Array, k: number, o: MidlineOptions): MidlineShift | undefined {
  const line = idealLine(mask, volume, k, o);
  if (!line) return undefined;
  const [nx, ny] = volume.dims;
  const offset = nx * ny * k;
  const { voxels } = volume;
  const [low, high] = o.csfHu;
  const raw = new Uint8Array(nx * ny);
  for (let p = 0; p < raw.length; p++) {
    const hu = voxels[offset + p] ?? -1024;
    raw[p] = mask[offset + p] && hu >= low && hu <= high ? 1 : 0;
  }
  const csf = majority3x3(raw, { nx, ny });
  const found: Array<{ j: number; shift: number; septum: number }> = [];
  for (let j = line.from; j <= line.to; j++) {
    const septum = septumOnRow(csf, nx * j, nx, line.at(j), o, volume.spacing[0]);
    if (septum === undefined) continue;
    const shift = patientPoint(volume.patientFromVoxel, [septum, j, k])[0] - patientPoint(volume.patientFromVoxel, [line.at(j), j, k])[0];
    found.push({ j, shift, septum });
  }
  if (found.length === 0 || found.length * volume.spacing[1] < o.minRowsMm) return undefined;
  const shiftMm = median(found.map((f) => f.shift));
  const middle = found[found.length >> 1] ?? { j: 0, septum: 0 };
  return {
    shiftMm, slice: k, rows: found.length,
    septum: patientPoint(volume.patientFromVoxel, [middle.septum, middle.j, k]),
    ideal: patientPoint(volume.patientFromVoxel, [line.at(middle.j), middle.j, k]),
  };
}

/** The largest midline shift over the slices where the septum is seen, or undefined when it is seen on none. */
export function midlineShift(volume: Volume, intracranial: Uint8Array, options: Partial<MidlineOptions> = {}): MidlineShift | undefined {
  const o = { ...MIDLINE_DEFAULTS, ...options };
  let best: MidlineShift | undefined;
  for (let k = 0; k < volume.dims[2]; k++) {
    const s = sliceShift(volume, intracranial, k, o);
    if (s && (!best || Math.abs(s.shiftMm) > Math.abs(best.shiftMm))) best = s;
  }
  return best;
}

/** The ideal midline x (patient mm) over the slices where it can be drawn: for a collection's side. */
export function idealMidlineX(volume: Volume, intracranial: Uint8Array, options: Partial<MidlineOptions> = {}): number | undefined {
  const o = { ...MIDLINE_DEFAULTS, ...options };
  const xs: number[] = [];
  for (let k = 0; k < volume.dims[2]; k++) {
    const line = idealLine(intracranial, volume, k, o);
    if (!line) continue;
    const j = (line.from + line.to) / 2;
    xs.push(patientPoint(volume.patientFromVoxel, [line.at(j), j, k])[0]);
  }
  return xs.length > 0 ? median(xs) : undefined;
}
