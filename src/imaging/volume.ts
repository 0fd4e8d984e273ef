import { RadbridgeError } from '../domain/errors.js';
import { decodeInstance } from './decode-instance.js';
import type { Samples } from './native-frame.js';
import { sliceHeaderFrom, type SliceHeader } from './slice-header.js';
import { orderSlices, type SliceGeometryReport, type Vec3 } from './slice-geometry.js';
import { affineFromAxes, invertAffine, transformPoint, type Mat4 } from './voxel-affine.js';

/**
 * A scalar volume in patient space. Voxels are modality values after Rescale Slope/Intercept (HU
 * for CT), rounded to whole units and held as Int16: 2 bytes a voxel keeps a 1,000 x 512 x 512 CT at
 * 512 MiB (Float32 would double it), and CT values (-1024..3071, extended range to 32767) fit.
 * Values outside the Int16 range are clamped.
 */
export interface Volume {
  /** [columns, rows, slices]. */
  dims: [number, number, number];
  /** mm between columns, between rows, and between slices along the slice normal. */
  spacing: [number, number, number];
  /** Column index fastest: voxel (i, j, k) is voxels[i + columns * (j + rows * k)]. */
  voxels: Int16Array;
  /** Voxel (i, j, k) to patient (x, y, z) mm; the slice axis follows the slices' actual step, so gantry tilt is a shear. */
  patientFromVoxel: Mat4;
  voxelFromPatient: Mat4;
  /** MONOCHROME1 or MONOCHROME2: how windowing maps values to grey. */
  photometricInterpretation: string;
}

/** The files of one series, one Part 10 object each, in any order; `count` says how many will come. */
export interface SliceFileSource {
  count: number;
  files: AsyncIterable<Uint8Array>;
}

export interface BuiltVolume {
  volume: Volume;
  geometry: SliceGeometryReport;
}

/** Hard limit on voxels in one volume (4 GiB of Int16). */
export const MAX_VOXELS = 2 ** 31;

export function voxelToPatient(volume: Volume, voxel: Vec3): Vec3 {
  return transformPoint(volume.patientFromVoxel, voxel);
}

/** Continuous voxel coordinates (not rounded) of a patient point. */
export function patientToVoxel(volume: Volume, point: Vec3): Vec3 {
  return transformPoint(volume.voxelFromPatient, point);
}

/**
 * Writes one slice's stored values as rounded, clamped modality values at `offset`. With an integer
 * slope and intercept (CT's usual 1 and -1024) the values are already whole, so rounding is skipped.
 */
function writeModalityValues(voxels: Int16Array, offset: number, samples: Samples, header: SliceHeader): void {
  const { rescaleSlope: slope, rescaleIntercept: intercept } = header;
  if (Number.isInteger(slope) && Number.isInteger(intercept)) {
    for (let p = 0; p < samples.length; p++) {
      const value = (samples[p] ?? 0) * slope + intercept;
      voxels[offset + p] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
    }
    return;
  }
  for (let p = 0; p < samples.length; p++) {
    const value = Math.round((samples[p] ?? 0) * slope + intercept);
    voxels[offset + p] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
  }
}

/** Moves slices so that slot k holds the slice that arrived as order[k]; one slice of scratch memory. */
function permuteSlices(voxels: Int16Array, sliceSize: number, order: readonly number[]): void {
  const placed = new Uint8Array(order.length);
  const scratch = new Int16Array(sliceSize);
  for (let start = 0; start < order.length; start++) {
    if (placed[start] || order[start] === start) continue;
    scratch.set(voxels.subarray(start * sliceSize, (start + 1) * sliceSize));
    let k = start;
    for (let from = order[k] ?? start; from !== start; from = order[k] ?? start) {
      voxels.copyWithin(k * sliceSize, from * sliceSize, (from + 1) * sliceSize);
      placed[k] = 1;
      k = from;
    }
    voxels.set(scratch, k * sliceSize);
    placed[k] = 1;
  }
}

interface SliceShape {
  rows: number;
  columns: number;
  photometricInterpretation: string;
}

function allocateVolume(count: number, shape: SliceShape): Int16Array {
  const total = count * shape.rows * shape.columns;
  if (total > MAX_VOXELS) throw new RadbridgeError('DICOM_LIMIT_EXCEEDED', `${count} slices of ${shape.columns}x${shape.rows} make ${total} voxels; the limit is ${MAX_VOXELS}`);
  return new Int16Array(total);
}

/** Decodes one slice file and checks it is a single grey frame of the volume's shape (the first slice sets it). */
async function decodeSlice(file: Uint8Array, index: number, shape: SliceShape | undefined): Promise<{ samples: Samples; shape: SliceShape; header: SliceHeader }> {
  const { frames, dataset } = await decodeInstance(file);
  const [frame] = frames;
  if (!frame || frames.length !== 1) throw new RadbridgeError('SERIES_NOT_A_VOLUME', `slice ${index} holds ${frames.length} frames; volumes are built from single-frame slices`);
  if (frame.samplesPerPixel !== 1) throw new RadbridgeError('SERIES_NOT_A_VOLUME', `slice ${index} is ${frame.photometricInterpretation}; volumes are built from grey images`);
  const own = { rows: frame.rows, columns: frame.columns, photometricInterpretation: frame.photometricInterpretation };
  if (shape && (shape.rows !== own.rows || shape.columns !== own.columns)) {
    throw new RadbridgeError('SERIES_NOT_A_VOLUME', `slices do not form one volume: slice ${index} is ${own.columns}x${own.rows}, slice 0 is ${shape.columns}x${shape.rows}`);
  }
  return { samples: frame.samples, shape: shape ?? own, header: sliceHeaderFrom(dataset) };
}

/** The affine and spacing of ordered slices; refuses duplicate positions, which no single voxel grid can hold. */
function placeVolume(geometry: SliceGeometryReport, first: SliceHeader): Pick<Volume, 'spacing' | 'patientFromVoxel' | 'voxelFromPatient'> {
  const duplicate = geometry.duplicates[0];
  if (duplicate) throw new RadbridgeError('SERIES_NOT_A_VOLUME', `slices do not form one volume: slices ${duplicate.slices.join(' and ')} lie at the same position ${duplicate.positionMm} mm along the normal`);
  const [rowSpacing, columnSpacing] = geometry.pixelSpacing;
  const alongI: Vec3 = [geometry.rowDirection[0] * columnSpacing, geometry.rowDirection[1] * columnSpacing, geometry.rowDirection[2] * columnSpacing];
  const alongJ: Vec3 = [geometry.columnDirection[0] * rowSpacing, geometry.columnDirection[1] * rowSpacing, geometry.columnDirection[2] * rowSpacing];
  const patientFromVoxel = affineFromAxes(alongI, alongJ, geometry.stepMm, first.geometry.imagePositionPatient);
  return { spacing: [columnSpacing, rowSpacing, geometry.spacingMm], patientFromVoxel, voxelFromPatient: invertAffine(patientFromVoxel) };
}

/**
 * Builds a volume from slice files arriving in any order. Each slice is decoded and written into
 * the volume as it arrives, then the slices are put in order of position in place, so memory stays
 * near the volume's own size plus one slice. Refuses slices of different orientation, pixel spacing
 * or size, and duplicate positions; gaps and gantry tilt are reported in `geometry`, where the
 * affine assumes the median spacing.
 */
export async function buildVolume(source: SliceFileSource): Promise<BuiltVolume> {
  const headers: SliceHeader[] = [];
  let shape: SliceShape | undefined;
  let voxels: Int16Array | undefined;
  for await (const file of source.files) {
    const index = headers.length;
    if (index >= source.count) throw new RadbridgeError('BAD_REQUEST', `the source promised ${source.count} slices and sent more`);
    const slice = await decodeSlice(file, index, shape);
    shape = slice.shape;
    voxels ??= allocateVolume(source.count, shape);
    writeModalityValues(voxels, index * shape.rows * shape.columns, slice.samples, slice.header);
    headers.push(slice.header);
  }
  if (!shape || !voxels || headers.length !== source.count) throw new RadbridgeError('BAD_REQUEST', `the source promised ${source.count} slices and sent ${headers.length}`);
  const geometry = orderSlices(headers.map((h) => h.geometry));
  const first = headers[geometry.order[0] ?? 0] ?? headers[0];
  if (!first) throw new RadbridgeError('BAD_REQUEST', 'no slices');
  const placement = placeVolume(geometry, first);
  permuteSlices(voxels, shape.rows * shape.columns, geometry.order);
  const volume: Volume = { dims: [shape.columns, shape.rows, headers.length], voxels, photometricInterpretation: shape.photometricInterpretation, ...placement };
  return { volume, geometry };
}
