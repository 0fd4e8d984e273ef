import { readDicomObject } from './dicom-object.js';
import { readPresentationState } from './gsps-reader.js';
import type { ReadContext, ReadResult } from './read-context.js';
import { readSegmentation } from './seg-reader.js';
import { readStructuredReport } from './sr-reader.js';

/** Which reader reads which SOP class, and the one entry point that picks it. */

export const SR_SOP_CLASSES: Readonly<Record<string, string>> = {
  '1.2.840.10008.5.1.4.1.1.88.11': 'Basic Text SR',
  '1.2.840.10008.5.1.4.1.1.88.22': 'Enhanced SR',
  '1.2.840.10008.5.1.4.1.1.88.33': 'Comprehensive SR',
  '1.2.840.10008.5.1.4.1.1.88.34': 'Comprehensive 3D SR',
  '1.2.840.10008.5.1.4.1.1.88.35': 'Extensible SR',
  '1.2.840.10008.5.1.4.1.1.88.50': 'Mammography CAD SR',
  '1.2.840.10008.5.1.4.1.1.88.65': 'Chest CAD SR',
};
export const SEG_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';
export const GSPS_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.11.1';

export const READ_SOP_CLASSES: Readonly<Record<string, string>> = {
  ...SR_SOP_CLASSES,
  [SEG_SOP_CLASS]: 'Segmentation',
  [GSPS_SOP_CLASS]: 'Grayscale Softcopy Presentation State',
};

/** Reads one Part 10 object into findings; an object of a class no reader takes yields none, with the reason. */
export async function readResultObject(bytes: Uint8Array, context: ReadContext): Promise<ReadResult> {
  const object = readDicomObject(bytes);
  if (SR_SOP_CLASSES[object.sopClassUid]) return readStructuredReport(object, context);
  if (object.sopClassUid === SEG_SOP_CLASS) return readSegmentation(object, context);
  if (object.sopClassUid === GSPS_SOP_CLASS) return readPresentationState(object, context);
  return { findings: [], notes: [`SOP class ${object.sopClassUid} of ${object.sopInstanceUid} is not a result this importer reads`] };
}
