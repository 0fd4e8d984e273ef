import { code, type DumpElement } from './dicom-dump.js';

/**
 * A Segmentation and a Grayscale Softcopy Presentation State as element lists for dump2dcm, the way
 * another product might send them, on a small axial CT series of known geometry.
 */

export const SEG_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';
export const GSPS_CLASS = '1.2.840.10008.5.1.4.1.1.11.1';
export const CT_CLASS = '1.2.840.10008.5.1.4.1.1.2';

export interface FixtureUids {
  studyUid: string;
  seriesUid: string;
  instanceUid: string;
  frameOfReferenceUid: string;
  /** The CT series the object refers to and its images, one per slice. */
  imageSeriesUid: string;
  imageUids: string[];
}

const patientStudy = (u: FixtureUids, modality: string): DumpElement[] => [
  ['0008,0020', 'DA', '20240301'],
  ['0008,0030', 'TM', '101500'],
  ['0008,0050', 'SH', 'ACC1'],
  ['0008,0060', 'CS', modality],
  ['0008,0070', 'LO', 'Acme Imaging AI'],
  ['0008,0090', 'PN', ''],
  ['0008,1090', 'LO', modality === 'SEG' ? 'HaemoSeg' : 'FractureMarker'],
  ['0010,0010', 'PN', 'Test^Import'],
  ['0010,0020', 'LO', 'P-IMPORT'],
  ['0010,0030', 'DA', ''],
  ['0010,0040', 'CS', 'O'],
  ['0018,1000', 'LO', 'SN-1'],
  ['0018,1020', 'LO', modality === 'SEG' ? '3.4' : '1.2'],
  ['0020,000d', 'UI', u.studyUid],
  ['0020,000e', 'UI', u.seriesUid],
  ['0020,0010', 'SH', '1'],
  ['0020,0011', 'IS', '902'],
  ['0020,0013', 'IS', '1'],
];

export interface SegFrameSpec {
  segment: number;
  /** 0-based slice of the CT series the frame lies on (z = 10 + 2 k). */
  slice: number;
}

export interface SegSpec {
  type: 'BINARY' | 'FRACTIONAL';
  rows: number;
  columns: number;
  frames: SegFrameSpec[];
  /** Number of Frames as declared; the frame list's length when not given. */
  declaredFrames?: number;
  /** Pixel data bytes as hex (dump2dcm OB notation). */
  pixelHex: string;
}

const segments: DumpElement[][] = [
  [
    ['0062,0003', 'SQ', [code('49755003', 'SCT', 'Morphologically Abnormal Structure')]],
    ['0062,0004', 'US', '1'],
    ['0062,0005', 'LO', 'haemorrhage'],
    ['0062,0008', 'CS', 'AUTOMATIC'],
    ['0062,0009', 'LO', 'HaemoSeg'],
    ['0062,000f', 'SQ', [code('50960005', 'SCT', 'Hemorrhage')]],
    ['0008,2218', 'SQ', [[...code('12738006', 'SCT', 'Brain'), ['0008,2220', 'SQ', [code('24028007', 'SCT', 'Right')]]]]],
  ],
  [
    ['0062,0003', 'SQ', [code('49755003', 'SCT', 'Morphologically Abnormal Structure')]],
    ['0062,0004', 'US', '2'],
    ['0062,0005', 'LO', 'oedema'],
    ['0062,0008', 'CS', 'AUTOMATIC'],
    ['0062,0009', 'LO', 'HaemoSeg'],
    ['0062,000f', 'SQ', [code('79654002', 'SRT', 'Edema')]],
  ],
];

export function segElements(u: FixtureUids, spec: SegSpec): DumpElement[] {
  const perFrame = spec.frames.map((f): DumpElement[] => [
    ['0008,9124', 'SQ', [[['0008,2112', 'SQ', [[['0008,1150', 'UI', CT_CLASS], ['0008,1155', 'UI', u.imageUids[f.slice] ?? ''], ['0040,a170', 'SQ', [code('121322', 'DCM', 'Source image for image processing operation')]]]]], ['0008,9215', 'SQ', [code('113076', 'DCM', 'Segmentation')]]]]],
    ['0020,9111', 'SQ', [[['0020,9157', 'UL', `${f.segment}\\${f.slice + 1}`]]]],
    ['0020,9113', 'SQ', [[['0020,0032', 'DS', `-1\\-1\\${10 + 2 * f.slice}`]]]],
    ['0062,000a', 'SQ', [[['0062,000b', 'US', String(f.segment)]]]],
  ]);
  const binary = spec.type === 'BINARY';
  return [
    ['0008,0008', 'CS', 'DERIVED\\PRIMARY'],
    ['0008,0016', 'UI', SEG_CLASS],
    ['0008,0018', 'UI', u.instanceUid],
    ['0008,0023', 'DA', '20240301'],
    ['0008,0033', 'TM', '102000'],
    ['0008,1115', 'SQ', [[['0008,114a', 'SQ', u.imageUids.map((i): DumpElement[] => [['0008,1150', 'UI', CT_CLASS], ['0008,1155', 'UI', i]])], ['0020,000e', 'UI', u.imageSeriesUid]]]],
    ...patientStudy(u, 'SEG'),
    ['0020,0052', 'UI', u.frameOfReferenceUid],
    ['0020,1040', 'LO', ''],
    ['0020,9221', 'SQ', [[['0020,9164', 'UI', `${u.instanceUid}.1`]]]],
    ['0020,9222', 'SQ', [
      [['0020,9164', 'UI', `${u.instanceUid}.1`], ['0020,9165', 'AT', '(0062,000b)'], ['0020,9167', 'AT', '(0062,000a)']],
      [['0020,9164', 'UI', `${u.instanceUid}.1`], ['0020,9165', 'AT', '(0020,0032)'], ['0020,9167', 'AT', '(0020,9113)']],
    ]],
    ['0028,0002', 'US', '1'],
    ['0028,0004', 'CS', 'MONOCHROME2'],
    ['0028,0008', 'IS', String(spec.declaredFrames ?? spec.frames.length)],
    ['0028,0010', 'US', String(spec.rows)],
    ['0028,0011', 'US', String(spec.columns)],
    ['0028,0100', 'US', binary ? '1' : '8'],
    ['0028,0101', 'US', binary ? '1' : '8'],
    ['0028,0102', 'US', binary ? '0' : '7'],
    ['0028,0103', 'US', '0'],
    ['0028,2110', 'CS', '00'],
    ['0062,0001', 'CS', spec.type],
    ['0062,0002', 'SQ', segments],
    ...(binary ? [] : ([['0062,000e', 'US', '255'], ['0062,0010', 'CS', 'PROBABILITY']] as DumpElement[])),
    ['0070,0080', 'CS', 'SEGMENTATION'],
    ['0070,0081', 'LO', ''],
    ['0070,0084', 'PN', ''],
    ['5200,9229', 'SQ', [[
      ['0020,9116', 'SQ', [[['0020,0037', 'DS', '1\\0\\0\\0\\1\\0']]]],
      ['0028,9110', 'SQ', [[['0018,0050', 'DS', '2'], ['0018,0088', 'DS', '2'], ['0028,0030', 'DS', '0.5\\0.5']]]],
    ]]],
    ['5200,9230', 'SQ', perFrame],
    ['7fe0,0010', 'OB', spec.pixelHex],
  ];
}

export interface GspsAnnotation {
  /** Index into the CT images. */
  image: number;
  text?: { value: string; anchor: [number, number] };
  graphic?: { type: 'POINT' | 'POLYLINE'; data: number[]; code?: [string, string, string] };
}

export function gspsElements(u: FixtureUids, annotations: GspsAnnotation[]): DumpElement[] {
  const annotationItems = annotations.map((a): DumpElement[] => [
    ['0008,1140', 'SQ', [[['0008,1150', 'UI', CT_CLASS], ['0008,1155', 'UI', u.imageUids[a.image] ?? '']]]],
    ['0070,0002', 'CS', 'AI'],
    ...(a.text
      ? ([['0070,0008', 'SQ', [[['0070,0004', 'CS', 'PIXEL'], ['0070,0006', 'ST', a.text.value], ['0070,0014', 'FL', a.text.anchor.join('\\')], ['0070,0015', 'CS', 'N']]]]] as DumpElement[])
      : []),
    ...(a.graphic
      ? ([['0070,0009', 'SQ', [[
          ['0070,0005', 'CS', 'PIXEL'],
          ['0070,0020', 'US', '2'],
          ['0070,0021', 'US', String(a.graphic.data.length / 2)],
          ['0070,0022', 'FL', a.graphic.data.join('\\')],
          ['0070,0023', 'CS', a.graphic.type],
          ['0070,0024', 'CS', 'N'],
          ...(a.graphic.code ? ([['0040,a168', 'SQ', [code(...a.graphic.code)]]] as DumpElement[]) : []),
        ]]]] as DumpElement[])
      : []),
  ]);
  return [
    ['0008,0016', 'UI', GSPS_CLASS],
    ['0008,0018', 'UI', u.instanceUid],
    ['0008,1115', 'SQ', [[['0008,1140', 'SQ', u.imageUids.map((i): DumpElement[] => [['0008,1150', 'UI', CT_CLASS], ['0008,1155', 'UI', i]])], ['0020,000e', 'UI', u.imageSeriesUid]]]],
    ...patientStudy(u, 'PR'),
    ...(annotationItems.length > 0 ? ([['0070,0001', 'SQ', annotationItems]] as DumpElement[]) : []),
    ['0020,0060', 'CS', ''],
    ['0070,005a', 'SQ', [[['0070,0052', 'SL', '1\\1'], ['0070,0053', 'SL', '512\\512'], ['0070,0100', 'CS', 'SCALE TO FIT'], ['0070,0102', 'IS', '1\\1']]]],
    ['0070,0060', 'SQ', [[['0070,0002', 'CS', 'AI'], ['0070,0062', 'IS', '1']]]],
    ['0070,0080', 'CS', 'AI_MARKS'],
    ['0070,0081', 'LO', ''],
    ['0070,0082', 'DA', '20240301'],
    ['0070,0083', 'TM', '102000'],
    ['0070,0084', 'PN', ''],
    ['2050,0020', 'CS', 'IDENTITY'],
  ];
}
