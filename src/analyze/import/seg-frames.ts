import { RadbridgeError } from '../../domain/errors.js';
import { firstItem, integerOf, itemsOf, numbersOf, textOf, type JsonDict } from './dicom-object.js';

/** What the functional groups of a Segmentation say of each frame (PS3.3 C.8.20, C.7.6.16). Pure. */

export interface SegFrame {
  /** 0-based frame index in the pixel data. */
  index: number;
  segmentNumber: number;
  /** Image Position (Patient) of the frame, when given. */
  position?: [number, number, number];
  /** The source images the frame was derived from. */
  sourceImages: string[];
}

export interface SegGeometry {
  rows: number;
  columns: number;
  /** Row then column direction cosines. */
  orientation?: [number, number, number, number, number, number];
  /** Between rows, between columns, mm. */
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  spacingBetweenSlices?: number;
}

/** A functional group macro from the frame's own groups, else from the shared ones. */
function macro(perFrame: JsonDict | undefined, shared: JsonDict | undefined, tag: string): JsonDict | undefined {
  return (perFrame && firstItem(perFrame, tag)) ?? (shared && firstItem(shared, tag));
}

function triple(values: number[]): [number, number, number] | undefined {
  return values.length === 3 ? (values as [number, number, number]) : undefined;
}

/** The frames of a SEG, checked against Number of Frames and the segments it defines. */
export function segFramesOf(dict: JsonDict, segmentNumbers: ReadonlySet<number>): SegFrame[] {
  const declared = integerOf(dict, '00280008') ?? 1;
  const perFrame = itemsOf(dict, '52009230');
  const shared = firstItem(dict, '52009229');
  if (perFrame.length !== declared) {
    throw new RadbridgeError(
      'DICOM_MALFORMED',
      `the segmentation declares ${declared} frame(s) (Number of Frames) but describes ${perFrame.length} in its Per-Frame Functional Groups Sequence; its ${segmentNumbers.size} segment(s) cannot be placed`,
    );
  }
  return perFrame.map((groups, index) => {
    const segmentNumber = integerOf(macro(groups, shared, '0062000A') ?? {}, '0062000B');
    if (segmentNumber === undefined || !segmentNumbers.has(segmentNumber)) {
      throw new RadbridgeError('DICOM_MALFORMED', `frame ${index + 1} of the segmentation refers to segment ${segmentNumber ?? '(none)'}, which the Segment Sequence does not define`);
    }
    const plane = macro(groups, shared, '00209113');
    const position = plane ? triple(numbersOf(plane, '00200032', 'ImagePositionPatient')) : undefined;
    const sourceImages = itemsOf(groups, '00089124')
      .flatMap((d) => itemsOf(d, '00082112'))
      .flatMap((s) => textOf(s, '00081155') ?? []);
    return { index, segmentNumber, ...(position ? { position } : {}), sourceImages };
  });
}

export function segGeometryOf(dict: JsonDict): SegGeometry {
  const rows = integerOf(dict, '00280010');
  const columns = integerOf(dict, '00280011');
  if (!rows || !columns) throw new RadbridgeError('DICOM_MISSING_ATTRIBUTE', 'the segmentation has no Rows (0028,0010) or Columns (0028,0011)');
  const shared = firstItem(dict, '52009229');
  const firstFrame = itemsOf(dict, '52009230')[0];
  const orientationItem = macro(firstFrame, shared, '00209116');
  const measures = macro(firstFrame, shared, '00289110');
  const orientation = orientationItem ? numbersOf(orientationItem, '00200037', 'ImageOrientationPatient') : [];
  const spacing = measures ? numbersOf(measures, '00280030', 'PixelSpacing') : [];
  const [thickness] = measures ? numbersOf(measures, '00180050', 'SliceThickness') : [];
  const [between] = measures ? numbersOf(measures, '00180088', 'SpacingBetweenSlices') : [];
  return {
    rows,
    columns,
    ...(orientation.length === 6 ? { orientation: orientation as [number, number, number, number, number, number] } : {}),
    ...(spacing.length === 2 && spacing.every((s) => s > 0) ? { pixelSpacing: spacing as [number, number] } : {}),
    ...(thickness !== undefined && thickness > 0 ? { sliceThickness: thickness } : {}),
    ...(between !== undefined && between > 0 ? { spacingBetweenSlices: between } : {}),
  };
}
