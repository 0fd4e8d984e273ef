import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';

/** Deterministic UIDs under the 2.25 root, from a seed string. */
export function uidFrom(seed: string): string {
  let h = 0n;
  for (const c of seed) h = (h * 131n + BigInt(c.charCodeAt(0))) % 10n ** 36n;
  return `2.25.${h + 1n}`;
}

export interface CtSeriesOptions {
  dir: string;
  count: number;
  seed: string;
  rows?: number;
  columns?: number;
  studyUid?: string;
  patientId?: string;
  patientName?: string;
  seriesNumber?: number;
  /** Overrides applied to every instance (naturalized keywords). */
  extra?: Record<string, unknown>;
}

export interface WrittenSeries {
  studyUid: string;
  seriesUid: string;
  sopInstanceUids: string[];
  files: string[];
}

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** Writes a CT series of 16-bit images in Explicit VR Little Endian, one file per slice. */
export function writeCtSeries(o: CtSeriesOptions): WrittenSeries {
  const rows = o.rows ?? 64;
  const columns = o.columns ?? 64;
  const studyUid = o.studyUid ?? uidFrom(`${o.seed}/study`);
  const seriesUid = uidFrom(`${o.seed}/series`);
  mkdirSync(o.dir, { recursive: true });
  const pixels = new Uint16Array(rows * columns);
  const files: string[] = [];
  const sopInstanceUids: string[] = [];
  for (let i = 0; i < o.count; i++) {
    for (let p = 0; p < pixels.length; p++) pixels[p] = (p + i * 7) & 0x0fff;
    const sopInstanceUid = uidFrom(`${o.seed}/instance/${i}`);
    const dataset = {
      _meta: {
        FileMetaInformationVersion: { Value: [new Uint8Array([0, 1]).buffer], vr: 'OB' },
        MediaStorageSOPClassUID: { Value: [CT_IMAGE_STORAGE], vr: 'UI' },
        MediaStorageSOPInstanceUID: { Value: [sopInstanceUid], vr: 'UI' },
        TransferSyntaxUID: { Value: ['1.2.840.10008.1.2.1'], vr: 'UI' },
        ImplementationClassUID: { Value: ['2.25.1'], vr: 'UI' },
      },
      SpecificCharacterSet: 'ISO_IR 100',
      ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      SOPClassUID: CT_IMAGE_STORAGE,
      SOPInstanceUID: sopInstanceUid,
      StudyDate: '20261125',
      StudyTime: '101500',
      AccessionNumber: `ACC${o.seed.length}${o.count}`.slice(0, 16),
      Modality: 'CT',
      Manufacturer: 'Radbridge Synthetic',
      ReferringPhysicianName: '',
      StudyDescription: 'CT TRAUMA PANSCAN',
      SeriesDescription: 'AXIAL SOFT TISSUE',
      PatientName: o.patientName ?? 'TRAUMA^SYNTHETIC',
      PatientID: o.patientId ?? 'P-0001',
      PatientBirthDate: '19800101',
      PatientSex: 'O',
      BodyPartExamined: 'CHEST',
      SliceThickness: '1.0',
      ProtocolName: 'TRAUMA WB',
      PatientPosition: 'HFS',
      StudyInstanceUID: studyUid,
      SeriesInstanceUID: seriesUid,
      StudyID: '1',
      SeriesNumber: String(o.seriesNumber ?? 1),
      InstanceNumber: String(i + 1),
      ImagePositionPatient: ['0', '0', String(-i)],
      ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
      FrameOfReferenceUID: uidFrom(`${o.seed}/for`),
      PositionReferenceIndicator: '',
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: rows,
      Columns: columns,
      PixelSpacing: ['0.7', '0.7'],
      BitsAllocated: 16,
      BitsStored: 12,
      HighBit: 11,
      PixelRepresentation: 0,
      RescaleIntercept: '-1024',
      RescaleSlope: '1',
      KVP: '120',
      AcquisitionNumber: '1',
      PixelData: [pixels.buffer.slice(0)],
      _vrMap: { PixelData: 'OW' },
      ...o.extra,
    };
    const file = path.join(o.dir, `ct-${String(i).padStart(5, '0')}.dcm`);
    writeFileSync(file, Buffer.from(dcmjs.data.datasetToBuffer(dataset) as ArrayBuffer));
    files.push(file);
    sopInstanceUids.push(sopInstanceUid);
  }
  return { studyUid, seriesUid, sopInstanceUids, files };
}
