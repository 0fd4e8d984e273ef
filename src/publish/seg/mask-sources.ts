import { RadbridgeError } from '../../domain/errors.js';
import type { FindingMask } from '../../domain/finding.js';
import { cross, dot, type Vec3 } from '../../imaging/slice-geometry.js';
import { transformPoint } from '../../imaging/voxel-affine.js';
import type { SourceImage } from '../result-document.js';

/**
 * The source image of each slice of a mask: the images of the mask's series ordered along the
 * slice normal, checked to lie where the mask's affine puts slice k, with the mask's matrix, row
 * and column axes and spacing. A mask that does not fit them is refused. Pure.
 */

/** A source image with the plane geometry a SEG frame copies. */
export interface PlacedSource extends SourceImage {
  frameOfReferenceUid: string;
  rows: number;
  columns: number;
  imagePositionPatient: [number, number, number];
  imageOrientationPatient: [number, number, number, number, number, number];
  pixelSpacing: [number, number];
}

export interface MaskSources {
  /** Source image of slice k, by k. */
  slices: PlacedSource[];
  /** mm from one slice to the next along the normal. */
  spacingBetweenSlices: number;
}

/** Positions and axes may differ from the mask's by this share of the smallest voxel edge. */
const TOLERANCE = 0.05;

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const norm = (a: Vec3) => Math.sqrt(dot(a, a));
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const axis = (affine: readonly number[], c: number): Vec3 => [affine[c] ?? 0, affine[4 + c] ?? 0, affine[8 + c] ?? 0];

function placed(image: SourceImage): PlacedSource {
  const { frameOfReferenceUid, rows, columns, imagePositionPatient, imageOrientationPatient, pixelSpacing } = image;
  if (!frameOfReferenceUid || !rows || !columns || !imagePositionPatient || !imageOrientationPatient || !pixelSpacing) {
    const missing = Object.entries({ frameOfReferenceUid, rows, columns, imagePositionPatient, imageOrientationPatient, pixelSpacing }).filter(([, v]) => !v).map(([k]) => k);
    throw new RadbridgeError('RESULT_DOCUMENT_INVALID', `source image ${image.sopInstanceUid} has no ${missing.join(', ')}: a segmentation cannot be placed on it`);
  }
  return { ...image, frameOfReferenceUid, rows, columns, imagePositionPatient, imageOrientationPatient, pixelSpacing };
}

export function maskSources(mask: FindingMask, sources: readonly SourceImage[], what: string): MaskSources {
  const refuse = (why: string) => new RadbridgeError('RESULT_DOCUMENT_INVALID', `the mask of ${what} does not fit the images of series ${mask.seriesUid}: ${why}`);
  const images = sources.filter((s) => s.seriesUid === mask.seriesUid).map(placed);
  const [columns, rows, count] = mask.dimensions;
  if (images.length !== count) throw refuse(`it has ${count} slice(s), the series ${images.length} source image(s)`);
  const [first] = images;
  if (!first) throw refuse('the series has no source image');
  const iop = first.imageOrientationPatient;
  const rowDir: Vec3 = [iop[0], iop[1], iop[2]];
  const colDir: Vec3 = [iop[3], iop[4], iop[5]];
  const normal = cross(rowDir, colDir);
  const slices = [...images].sort((a, b) => dot(a.imagePositionPatient, normal) - dot(b.imagePositionPatient, normal));
  const alongK = axis(mask.affine, 2);
  const spacingBetweenSlices = dot(alongK, normal);
  const [rowSpacing, columnSpacing] = first.pixelSpacing;
  const tolerance = TOLERANCE * Math.min(rowSpacing, columnSpacing, count > 1 ? Math.abs(spacingBetweenSlices) : Infinity);
  slices.forEach((image, k) => {
    if (image.rows !== rows || image.columns !== columns) throw refuse(`it is ${columns} x ${rows}, image ${image.sopInstanceUid} ${image.columns} x ${image.rows}`);
    if (image.frameOfReferenceUid !== first.frameOfReferenceUid) throw refuse(`image ${image.sopInstanceUid} is in another frame of reference`);
    const o = image.imageOrientationPatient;
    const [rs, cs] = image.pixelSpacing;
    const alongI = scale([o[0], o[1], o[2]], cs);
    const alongJ = scale([o[3], o[4], o[5]], rs);
    if (norm(sub(alongI, axis(mask.affine, 0))) > tolerance || norm(sub(alongJ, axis(mask.affine, 1))) > tolerance) {
      throw refuse(`image ${image.sopInstanceUid} has orientation [${o.join(', ')}] and pixel spacing [${rs}, ${cs}], the mask's axes differ`);
    }
    const expected = transformPoint(mask.affine, [0, 0, k]);
    const off = norm(sub(image.imagePositionPatient, expected));
    if (off > tolerance) throw refuse(`slice ${k} lies at [${expected.map((v) => v.toFixed(3)).join(', ')}], image ${image.sopInstanceUid} at [${image.imagePositionPatient.join(', ')}] (${off.toFixed(3)} mm away)`);
  });
  if (count > 1 && !(spacingBetweenSlices > 0)) throw refuse('its slices do not advance along the slice normal');
  return { slices, spacingBetweenSlices: count > 1 ? spacingBetweenSlices : (first.sliceThickness ?? Math.abs(spacingBetweenSlices)) };
}
