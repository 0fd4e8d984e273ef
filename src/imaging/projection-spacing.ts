import { decimals } from './decimal-attributes.js';
import { text, type JsonDict } from './pixel-description.js';

/** Which attribute a projection radiograph's millimetres come from (PS3.3 10.7.1.3, C.8.11.7). */
export type ProjectionSpacingSource =
  /** Pixel Spacing (0028,0030): calibrated to the patient, or declared so by the modality. */
  | 'PixelSpacing'
  /** Imager Pixel Spacing (0018,1164) divided by Estimated Radiographic Magnification Factor (0018,5022). */
  | 'ImagerPixelSpacingCorrected'
  /** Imager Pixel Spacing with no magnification factor: at the detector, larger than the anatomy. */
  | 'ImagerPixelSpacing';

export interface ProjectionSpacing {
  /** mm between rows (down a column). */
  rowSpacing: number;
  /** mm between columns (along a row). */
  columnSpacing: number;
  source: ProjectionSpacingSource;
  /** The factor divided out, for ImagerPixelSpacingCorrected. */
  magnificationFactor?: number;
  /** Pixel Spacing Calibration Type (0028,0A02) when given, e.g. GEOMETRY or FIDUCIAL. */
  calibrationType?: string;
}

function pair(dict: JsonDict, tag: string, name: string): [number, number] | undefined {
  const values = decimals(dict, tag, name);
  const [row, column] = values ?? [];
  return row !== undefined && column !== undefined && row > 0 && column > 0 ? [row, column] : undefined;
}

/**
 * The pixel spacing of a projection radiograph in millimetres at the patient: Pixel Spacing when
 * present, else Imager Pixel Spacing corrected by the Estimated Radiographic Magnification Factor,
 * else Imager Pixel Spacing as is; undefined when there is none. `source` says which was used.
 */
export function projectionPixelSpacing(dict: JsonDict): ProjectionSpacing | undefined {
  const pixel = pair(dict, '00280030', 'PixelSpacing');
  if (pixel) {
    const calibrationType = text(dict, '00280A02');
    return { rowSpacing: pixel[0], columnSpacing: pixel[1], source: 'PixelSpacing', ...(calibrationType ? { calibrationType } : {}) };
  }
  const imager = pair(dict, '00181164', 'ImagerPixelSpacing');
  if (!imager) return undefined;
  const factor = decimals(dict, '00185022', 'EstimatedRadiographicMagnificationFactor')?.[0];
  if (factor !== undefined && factor > 0) {
    return { rowSpacing: imager[0] / factor, columnSpacing: imager[1] / factor, source: 'ImagerPixelSpacingCorrected', magnificationFactor: factor };
  }
  return { rowSpacing: imager[0], columnSpacing: imager[1], source: 'ImagerPixelSpacing' };
}
