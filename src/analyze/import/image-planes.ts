import type { FindingLocation, ImageReference, PatientPoint } from '../../domain/finding.js';
import { sliceHeaderFrom } from '../../imaging/slice-header.js';
import type { SliceGeometryInput } from '../../imaging/slice-geometry.js';
import type { JsonDict } from './dicom-object.js';
import { textOf } from './dicom-object.js';

/**
 * Where the images a result points at lie in patient space, so that image coordinates (SCOORD,
 * GSPS graphics in PIXEL units) become patient points. Pure.
 */

export interface ImagePlane {
  seriesUid: string;
  geometry: SliceGeometryInput;
}

/** SOP Instance UID → plane of a single-frame image. */
export type ImagePlanes = ReadonlyMap<string, ImagePlane>;

/** The planes of the images among `headers` that carry Image Plane attributes; others are left out. */
export function imagePlanesOf(headers: JsonDict[]): Map<string, ImagePlane> {
  const planes = new Map<string, ImagePlane>();
  for (const dict of headers) {
    const sopInstanceUid = textOf(dict, '00080018');
    const seriesUid = textOf(dict, '0020000E');
    if (!sopInstanceUid || !seriesUid || !dict['00200032'] || !dict['00200037'] || !dict['00280030']) continue;
    try {
      planes.set(sopInstanceUid, { seriesUid, geometry: sliceHeaderFrom(dict).geometry });
    } catch {
      // An image whose plane cannot be read is referenced without coordinates.
      continue;
    }
  }
  return planes;
}

/**
 * An image coordinate (column, row; 0,0 the top left corner of the top left pixel, PS3.3 C.18.6.1.2
 * and C.10.5.1.2) in patient space: the centre of the first pixel, Image Position (Patient), is 0.5,0.5.
 */
export function patientPointOf(plane: ImagePlane, column: number, row: number): PatientPoint {
  const { imagePositionPatient: p, imageOrientationPatient: o, pixelSpacing: [rowSpacing, columnSpacing] } = plane.geometry;
  const along = (column - 0.5) * columnSpacing;
  const down = (row - 0.5) * rowSpacing;
  return [0, 1, 2].map((a) => (p[a] ?? 0) + (o[a] ?? 0) * along + (o[a + 3] ?? 0) * down) as PatientPoint;
}

/** Pairs or triplets of a flat coordinate list. */
export function tuplesOf(data: number[], size: 2 | 3): number[][] {
  const tuples: number[][] = [];
  for (let i = 0; i + size <= data.length; i += size) tuples.push(data.slice(i, i + size));
  return tuples;
}

/** A point for a single point; the axis-aligned box around several. */
export function locationFromPoints(images: ImageReference[], points: PatientPoint[], single: boolean): FindingLocation {
  const location: FindingLocation = { images };
  if (points.length === 0) return location;
  if (single || points.length === 1) return { ...location, point: points[0] };
  const min = [0, 1, 2].map((a) => Math.min(...points.map((p) => p[a] ?? 0))) as PatientPoint;
  const max = [0, 1, 2].map((a) => Math.max(...points.map((p) => p[a] ?? 0))) as PatientPoint;
  return { ...location, box: [min, max] };
}
