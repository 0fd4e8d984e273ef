import { RadbridgeError } from '../domain/errors.js';
import { decimals, requiredDecimals } from './decimal-attributes.js';
import type { JsonDict } from './pixel-description.js';
import type { SliceGeometryInput } from './slice-geometry.js';

/** What a volume needs from one slice besides its pixels: where it lies and how stored values become modality values. */
export interface SliceHeader {
  geometry: SliceGeometryInput;
  /** Rescale Slope (0028,1053), 1 when absent. */
  rescaleSlope: number;
  /** Rescale Intercept (0028,1052), 0 when absent. */
  rescaleIntercept: number;
}

/** Image Position/Orientation (Patient), Pixel Spacing and the rescale of one slice. */
export function sliceHeaderFrom(dict: JsonDict): SliceHeader {
  const [x = 0, y = 0, z = 0] = requiredDecimals(dict, '00200032', 'ImagePositionPatient', 3);
  const [r0 = 0, r1 = 0, r2 = 0, c0 = 0, c1 = 0, c2 = 0] = requiredDecimals(dict, '00200037', 'ImageOrientationPatient', 6);
  const [rowSpacing = 0, columnSpacing = 0] = requiredDecimals(dict, '00280030', 'PixelSpacing', 2);
  if (!(rowSpacing > 0 && columnSpacing > 0)) throw new RadbridgeError('DICOM_MALFORMED', `Pixel Spacing [${rowSpacing}, ${columnSpacing}] is not positive`);
  return {
    geometry: { imagePositionPatient: [x, y, z], imageOrientationPatient: [r0, r1, r2, c0, c1, c2], pixelSpacing: [rowSpacing, columnSpacing] },
    rescaleSlope: decimals(dict, '00281053', 'RescaleSlope')?.[0] ?? 1,
    rescaleIntercept: decimals(dict, '00281052', 'RescaleIntercept')?.[0] ?? 0,
  };
}
