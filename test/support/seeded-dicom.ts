import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Real Part 10 files written by DCMTK's dump2dcm from dumps that carry a seeded identifier in
 * every place de-identification must reach: patient, study and equipment attributes, dates and
 * times, free text, private tags (top level and inside a sequence), overlays, UIDs, and
 * identifiers inside sequences (Request Attributes, Referenced Study, Source Image).
 */

export type SyntaxOption = '+te' | '+tb' | '+ti' | '+td';

/** Values that must not survive de-identification anywhere in the bytes. */
export const seededValues = {
  patientName: 'SEEDNAME^ALICE',
  patientId: 'SEEDPID4711',
  birthDate: '19610203',
  otherPatientIds: 'SEEDOTHERID',
  patientAddress: 'SEED ADDRESS 12',
  patientComments: 'SEED PATIENT COMMENT',
  history: 'SEED HISTORY OF FALLS',
  accession: 'SEEDACC0815',
  studyId: 'SEEDSTUDYID',
  studyDescription: 'SEED STUDY DESCRIPTION',
  seriesDescription: 'SEED SERIES DESCRIPTION',
  protocolName: 'SEED PROTOCOL',
  institution: 'SEED GENERAL HOSPITAL',
  institutionAddress: '1 SEED STREET',
  department: 'SEED RADIOLOGY',
  referringPhysician: 'SEEDREF^BOB',
  performingPhysician: 'SEEDPERF^CAROL',
  readingPhysician: 'SEEDREAD^ERIN',
  operator: 'SEEDOP^DAVE',
  stationName: 'SEEDSTATION',
  deviceSerial: 'SEEDSN998877',
  studyDate: '20230417',
  seriesDate: '20230418',
  acquisitionDate: '20230419',
  contentDate: '20230420',
  studyTime: '101112.123456',
  seriesTime: '101213.123456',
  acquisitionTime: '101314.123456',
  contentTime: '101415.123456',
  imageComments: 'SEED FREE TEXT COMMENT',
  privateCreator: 'SEEDPRIVCREATOR',
  privateValue: 'SEEDPRIVATEVALUE',
  nestedPrivateValue: 'SEEDNESTEDPRIVATE',
  requestedProcedureId: 'SEEDREQPROC',
  requestAccession: 'SEEDREQACC',
  scheduledStepId: 'SEEDSPSID',
  overlayComment: 'SEED OVERLAY COMMENT',
} as const;

const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const US_IMAGE = '1.2.840.10008.5.1.4.1.1.6.1';

export interface SeededStudy {
  studyUid: string;
  seriesUid: string;
  frameOfReferenceUid: string;
  /** A study the images reference in Referenced Study Sequence. */
  referencedStudyUid: string;
}

export function seededStudy(seed: number): SeededStudy {
  const root = `1.2.826.0.1.3680043.10.999.${seed}`;
  return { studyUid: `${root}.1`, seriesUid: `${root}.2`, frameOfReferenceUid: `${root}.3`, referencedStudyUid: `${root}.4` };
}

export function sopInstanceUidOf(study: SeededStudy, index: number): string {
  return `${study.studyUid}.${index + 100}`;
}

function line(tag: string, vr: string, value: string): string {
  return `(${tag}) ${vr} [${value}]`;
}

function dump(file: string, lines: string[], syntax: SyntaxOption, pixels: Buffer): void {
  const raw = `${file}.pixels`;
  writeFileSync(raw, pixels);
  writeFileSync(`${file}.dump`, [...lines, `(7fe0,0010) OW =${raw}`, ''].join('\n'));
  execFileSync('dump2dcm', [syntax, '-e', `${file}.dump`, file], { stdio: ['ignore', 'ignore', 'pipe'] });
}

const item = (lines: string[]) => ['(fffe,e000) na (Item)', ...lines, '(fffe,e00d) na (ItemDelimitationItem)'];
const sequence = (tag: string, ...items: string[][]) => [`(${tag}) SQ (Sequence)`, ...items.flatMap(item), '(fffe,e0dd) na (SequenceDelimitationItem)'];

/** A 16x16 CT slice of the seeded study; slice `index` references slice `index - 1` as its source. */
export function writeSeededCt(dir: string, study: SeededStudy, index: number, syntax: SyntaxOption = '+te'): string {
  const s = seededValues;
  const sop = sopInstanceUidOf(study, index);
  const file = path.join(dir, `ct-${index}${syntax.slice(1)}.dcm`);
  const source = index > 0 ? sequence('0008,2112', [line('0008,1150', 'UI', CT_IMAGE), line('0008,1155', 'UI', sopInstanceUidOf(study, index - 1)), line('0029,0010', 'LO', 'SEEDNESTEDCREATOR'), line('0029,1001', 'LO', s.nestedPrivateValue)]) : [];
  const pixels = Buffer.alloc(16 * 16 * 2);
  for (let p = 0; p < 256; p++) pixels.writeUInt16LE((p * 3 + index) & 0x3ff, p * 2);
  dump(
    file,
    [
      line('0008,0005', 'CS', 'ISO_IR 100'),
      line('0008,0008', 'CS', 'ORIGINAL\\PRIMARY\\AXIAL'),
      line('0008,0016', 'UI', CT_IMAGE),
      line('0008,0018', 'UI', sop),
      line('0008,0020', 'DA', s.studyDate),
      line('0008,0021', 'DA', s.seriesDate),
      line('0008,0022', 'DA', s.acquisitionDate),
      line('0008,0023', 'DA', s.contentDate),
      line('0008,0030', 'TM', s.studyTime),
      line('0008,0031', 'TM', s.seriesTime),
      line('0008,0032', 'TM', s.acquisitionTime),
      line('0008,0033', 'TM', s.contentTime),
      line('0008,0050', 'SH', s.accession),
      line('0008,0060', 'CS', 'CT'),
      line('0008,0070', 'LO', 'Radbridge Synthetic'),
      line('0008,0080', 'LO', s.institution),
      line('0008,0081', 'ST', s.institutionAddress),
      line('0008,0090', 'PN', s.referringPhysician),
      line('0008,1010', 'SH', s.stationName),
      line('0008,1030', 'LO', s.studyDescription),
      line('0008,103e', 'LO', s.seriesDescription),
      line('0008,1040', 'LO', s.department),
      line('0008,1050', 'PN', s.performingPhysician),
      line('0008,1060', 'PN', s.readingPhysician),
      line('0008,1070', 'PN', s.operator),
      line('0008,1090', 'LO', 'SYNTH CT'),
      ...sequence('0008,1110', [line('0008,1150', 'UI', '1.2.840.10008.3.1.2.3.1'), line('0008,1155', 'UI', study.referencedStudyUid)]),
      ...source,
      line('0009,0010', 'LO', s.privateCreator),
      line('0009,1001', 'LO', s.privateValue),
      line('0010,0010', 'PN', s.patientName),
      line('0010,0020', 'LO', s.patientId),
      line('0010,0030', 'DA', s.birthDate),
      line('0010,0040', 'CS', 'F'),
      line('0010,1000', 'LO', s.otherPatientIds),
      line('0010,1040', 'LO', s.patientAddress),
      line('0010,21b0', 'LT', s.history),
      line('0010,4000', 'LT', s.patientComments),
      line('0018,0050', 'DS', '1.0'),
      line('0018,0060', 'DS', '120'),
      line('0018,1000', 'LO', s.deviceSerial),
      line('0018,1030', 'LO', s.protocolName),
      line('0018,5100', 'CS', 'HFS'),
      line('0020,000d', 'UI', study.studyUid),
      line('0020,000e', 'UI', study.seriesUid),
      line('0020,0010', 'SH', s.studyId),
      line('0020,0011', 'IS', '1'),
      line('0020,0012', 'IS', '1'),
      line('0020,0013', 'IS', String(index + 1)),
      line('0020,0032', 'DS', `0\\0\\${-index}`),
      line('0020,0037', 'DS', '1\\0\\0\\0\\1\\0'),
      line('0020,0052', 'UI', study.frameOfReferenceUid),
      line('0020,0060', 'CS', ''),
      line('0020,1040', 'LO', ''),
      line('0020,4000', 'LT', s.imageComments),
      line('0028,0002', 'US', '1'),
      line('0028,0004', 'CS', 'MONOCHROME2'),
      line('0028,0010', 'US', '16'),
      line('0028,0011', 'US', '16'),
      line('0028,0030', 'DS', '0.7\\0.7'),
      line('0028,0100', 'US', '16'),
      line('0028,0101', 'US', '12'),
      line('0028,0102', 'US', '11'),
      line('0028,0103', 'US', '0'),
      line('0028,1052', 'DS', '-1024'),
      line('0028,1053', 'DS', '1'),
      ...sequence('0040,0275', [line('0008,0050', 'SH', s.requestAccession), line('0040,0009', 'SH', s.scheduledStepId), line('0040,1001', 'SH', s.requestedProcedureId)]),
      line('6000,0010', 'US', '16'),
      line('6000,0011', 'US', '16'),
      line('6000,0040', 'CS', 'G'),
      line('6000,0050', 'SS', '1\\1'),
      line('6000,0100', 'US', '1'),
      line('6000,0102', 'US', '0'),
      `(6000,3000) OW ${Array.from({ length: 16 }, () => 'ffff').join('\\')}`,
      line('6000,4000', 'LT', s.overlayComment),
    ],
    syntax,
    pixels,
  );
  return file;
}

export const US_ROWS = 32;
export const US_COLUMNS = 48;
/** The band of burned-in text across the top of the ultrasound image. */
export const US_TEXT_REGION = { x: 0, y: 0, width: US_COLUMNS, height: 6 } as const;
export const US_TEXT_PIXEL = 250;
export const US_TISSUE_PIXEL = 60;

/** An 8-bit ultrasound image with "text" (bright pixels) burned into its top rows. */
export function writeUltrasound(dir: string, name: string, burnedInAnnotation: 'YES' | 'NO' | undefined, syntax: SyntaxOption = '+te'): string {
  const file = path.join(dir, `${name}.dcm`);
  const pixels = Buffer.alloc(US_ROWS * US_COLUMNS, US_TISSUE_PIXEL);
  for (let y = 0; y < US_TEXT_REGION.height; y++) for (let x = 2; x < US_COLUMNS - 2; x += 2) pixels[y * US_COLUMNS + x] = US_TEXT_PIXEL;
  dump(
    file,
    [
      line('0008,0008', 'CS', 'ORIGINAL\\PRIMARY'),
      line('0008,0016', 'UI', US_IMAGE),
      line('0008,0018', 'UI', `1.2.826.0.1.3680043.10.998.${name.length}.${Buffer.from(name).readUInt16BE(0)}`),
      line('0008,0020', 'DA', seededValues.studyDate),
      line('0008,0030', 'TM', seededValues.studyTime),
      line('0008,0050', 'SH', seededValues.accession),
      line('0008,0060', 'CS', 'US'),
      line('0008,0070', 'LO', 'Sonic Devices'),
      line('0008,0090', 'PN', seededValues.referringPhysician),
      line('0008,1090', 'LO', 'SONO 5'),
      line('0010,0010', 'PN', seededValues.patientName),
      line('0010,0020', 'LO', seededValues.patientId),
      line('0010,0030', 'DA', seededValues.birthDate),
      line('0010,0040', 'CS', 'F'),
      line('0020,000d', 'UI', '1.2.826.0.1.3680043.10.998.1'),
      line('0020,000e', 'UI', '1.2.826.0.1.3680043.10.998.2'),
      line('0020,0010', 'SH', seededValues.studyId),
      line('0020,0011', 'IS', '1'),
      line('0020,0013', 'IS', '1'),
      line('0028,0002', 'US', '1'),
      line('0028,0004', 'CS', 'MONOCHROME2'),
      line('0028,0010', 'US', String(US_ROWS)),
      line('0028,0011', 'US', String(US_COLUMNS)),
      line('0028,0100', 'US', '8'),
      line('0028,0101', 'US', '8'),
      line('0028,0102', 'US', '7'),
      line('0028,0103', 'US', '0'),
      ...(burnedInAnnotation ? [line('0028,0301', 'CS', burnedInAnnotation)] : []),
    ],
    syntax,
    pixels,
  );
  return file;
}
