import type { Finding, FindingLocation, FindingMask, Measurement, PatientPoint } from '../../domain/finding.js';
import { RadbridgeError } from '../../domain/errors.js';
import { decodeInstance } from '../../imaging/decode-instance.js';
import { transformPoint } from '../../imaging/voxel-affine.js';
import { CONCEPTS, UCUM_ML, codeOf, lateralityOf } from './coded-concepts.js';
import { firstItem, integerOf, itemsOf, textOf, type DicomObject, type JsonDict } from './dicom-object.js';
import type { ReadContext, ReadResult } from './read-context.js';
import { segFramesOf, segGeometryOf, type SegFrame } from './seg-frames.js';
import { segGridOf, type SegGrid } from './seg-grid.js';
import { equipmentOf, sourceOf } from './source-device.js';

/**
 * Findings of a Segmentation (PS3.3 A.51): one per segment, typed by its Segmented Property Type,
 * with its mask as runs on the grid of the referenced series and its volume in mL where the
 * geometry gives a voxel size. Binary and fractional segmentations; a fractional voxel counts as
 * set from half the Maximum Fractional Value up.
 */

export const FRACTIONAL_THRESHOLD = 0.5;

interface Segment {
  number: number;
  item: JsonDict;
}

function segmentsOf(dict: JsonDict): Segment[] {
  const segments = itemsOf(dict, '00620002').flatMap((item) => {
    const number = integerOf(item, '00620004');
    return number === undefined ? [] : [{ number, item }];
  });
  if (segments.length === 0) throw new RadbridgeError('DICOM_MISSING_ATTRIBUTE', 'the segmentation defines no segment (Segment Sequence (0062,0002) is empty)');
  return segments;
}

/** One segment's set voxels, as runs over the grid (i fastest), with the bounds of the set voxels. */
function maskRuns(frames: SegFrame[], grid: SegGrid, isSet: (frame: number, pixel: number) => boolean) {
  const [columns, rows] = grid.dimensions;
  const perSlice = columns * rows;
  const slices = new Map<number, Uint8Array>();
  for (const f of frames) {
    const k = grid.sliceOfFrame.get(f.index) ?? 0;
    const slice = slices.get(k) ?? new Uint8Array(perSlice);
    for (let p = 0; p < perSlice; p++) if (isSet(f.index, p)) slice[p] = 1;
    slices.set(k, slice);
  }
  const runs: number[] = [];
  let cursor = 0;
  let count = 0;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (const k of [...slices.keys()].sort((a, b) => a - b)) {
    const slice = slices.get(k) as Uint8Array;
    for (let p = 0; p < perSlice; p++) {
      if (slice[p] !== 1) continue;
      const at = k * perSlice + p;
      const last = runs.length - 1;
      if (runs.length > 0 && at === cursor) runs[last] = (runs[last] ?? 0) + 1;
      else runs.push(at - cursor, 1);
      cursor = at + 1;
      count++;
      const ijk = [p % columns, Math.floor(p / columns), k];
      ijk.forEach((v, a) => ((lo[a] = Math.min(lo[a] ?? v, v)), (hi[a] = Math.max(hi[a] ?? v, v))));
    }
  }
  return { runs, count, bounds: count === 0 ? undefined : ([lo, hi] as [number[], number[]]) };
}

function locationOf(grid: SegGrid, bounds: [number[], number[]] | undefined, seriesUid: string | undefined, frames: SegFrame[]): FindingLocation | undefined {
  const sources = [...new Set(frames.flatMap((f) => f.sourceImages))];
  const images = seriesUid ? (sources.length > 0 ? sources.map((sopInstanceUid) => ({ seriesUid, sopInstanceUid })) : [{ seriesUid }]) : [];
  if (!bounds) return images.length > 0 ? { images } : undefined;
  const corners = [bounds[0], bounds[1]].map((c) => transformPoint(grid.affine, [c[0] ?? 0, c[1] ?? 0, c[2] ?? 0]));
  const [a, b] = corners as [PatientPoint, PatientPoint];
  const box: [PatientPoint, PatientPoint] = [
    [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.min(a[2], b[2])],
    [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.max(a[2], b[2])],
  ];
  return { images, box };
}

export async function readSegmentation(object: DicomObject, context: ReadContext): Promise<ReadResult> {
  const { dict } = object;
  const type = textOf(dict, '00620001');
  if (type !== 'BINARY' && type !== 'FRACTIONAL') throw new RadbridgeError('DICOM_MALFORMED', `segmentation type ${type ?? '(none)'} is not read: only BINARY and FRACTIONAL`);
  const segments = segmentsOf(dict);
  const frames = segFramesOf(dict, new Set(segments.map((s) => s.number)));
  const referencedSeriesUid = textOf(firstItem(dict, '00081115') ?? {}, '0020000E');
  const grid = segGridOf(segGeometryOf(dict), frames, context.planes, referencedSeriesUid);
  const decoded = await decodeInstance(object.bytes);
  const maxValue = type === 'FRACTIONAL' ? (integerOf(dict, '0062000E') ?? 255) : 1;
  const isSet = (frame: number, pixel: number) => (decoded.frames[frame]?.samples[pixel] ?? 0) >= (type === 'FRACTIONAL' ? FRACTIONAL_THRESHOLD * maxValue : 1);
  const maskSeries = referencedSeriesUid ?? textOf(dict, '0020000E') ?? object.sopInstanceUid;
  const source = sourceOf(equipmentOf(dict), context.importer, context.inputHash);
  const notes: string[] = [];
  const findings = segments.map((segment): Finding => {
    const own = frames.filter((f) => f.segmentNumber === segment.number);
    const { runs, count, bounds } = maskRuns(own, grid, isSet);
    if (count === 0) notes.push(`segment ${segment.number} sets no voxel: read as absent`);
    const typeItem = firstItem(segment.item, '0062000F');
    const typeCode = codeOf(typeItem);
    if (!typeCode) throw new RadbridgeError('DICOM_MISSING_ATTRIBUTE', `segment ${segment.number} has no Segmented Property Type Code Sequence (0062,000F)`);
    const region = firstItem(segment.item, '00082218');
    const site = codeOf(region);
    const laterality = lateralityOf(codeOf(region && firstItem(region, '00082220'))) ?? lateralityOf(codeOf(typeItem && firstItem(typeItem, '00620011')));
    const mask: FindingMask = { seriesUid: maskSeries, dimensions: grid.dimensions, affine: grid.affine, runs };
    const volume: Measurement[] = grid.voxelVolumeMm3 === undefined ? [] : [{ concept: CONCEPTS.volume, value: (count * grid.voxelVolumeMm3) / 1000, unit: UCUM_ML, method: 'voxel count' }];
    const location = locationOf(grid, bounds, referencedSeriesUid, own);
    return {
      type: typeCode,
      presence: count > 0 ? 'present' : 'absent',
      ...(site ? { site } : {}),
      ...(laterality ? { laterality } : {}),
      measurements: volume,
      ...(location ? { location } : {}),
      mask,
      source,
    };
  });
  if (grid.voxelVolumeMm3 === undefined) notes.push('the frames carry no plane geometry or spacing: no volume is given and the mask is in voxel units');
  return { findings, notes };
}
