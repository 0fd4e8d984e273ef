import dcmjs from 'dcmjs';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../dicom/part10.js';

/** The one way a result object (SR, SEG, KOS, summary image) becomes a file: Part 10, Explicit VR Little Endian. */

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** Part 10 bytes of a dcmjs naturalized data set, with the hub's file meta information. */
export function part10Bytes(dataset: Record<string, unknown>): Buffer {
  const meta = {
    FileMetaInformationVersion: { Value: [new Uint8Array([0, 1]).buffer], vr: 'OB' },
    MediaStorageSOPClassUID: { Value: [dataset.SOPClassUID], vr: 'UI' },
    MediaStorageSOPInstanceUID: { Value: [dataset.SOPInstanceUID], vr: 'UI' },
    TransferSyntaxUID: { Value: [EXPLICIT_VR_LITTLE_ENDIAN], vr: 'UI' },
    ImplementationClassUID: { Value: [IMPLEMENTATION_CLASS_UID], vr: 'UI' },
    ImplementationVersionName: { Value: [IMPLEMENTATION_VERSION_NAME], vr: 'SH' },
  };
  return Buffer.from(dcmjs.data.datasetToBuffer({ ...dataset, _meta: meta }) as ArrayBuffer);
}
