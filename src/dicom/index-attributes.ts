/** Top-level attributes the scanner captures while a data set streams past: what the index, routing and the worklist need. */
export const indexAttributes = {
  '00080005': 'SpecificCharacterSet',
  '00080008': 'ImageType',
  '00080016': 'SOPClassUID',
  '00080018': 'SOPInstanceUID',
  '00080020': 'StudyDate',
  '00080021': 'SeriesDate',
  '00080030': 'StudyTime',
  '00080031': 'SeriesTime',
  '00080050': 'AccessionNumber',
  '00080060': 'Modality',
  '00080070': 'Manufacturer',
  '00080080': 'InstitutionName',
  '00080090': 'ReferringPhysicianName',
  '00081010': 'StationName',
  '00081030': 'StudyDescription',
  '0008103E': 'SeriesDescription',
  '00081090': 'ManufacturerModelName',
  '00100010': 'PatientName',
  '00100020': 'PatientID',
  '00100021': 'IssuerOfPatientID',
  '00100030': 'PatientBirthDate',
  '00100040': 'PatientSex',
  '00180015': 'BodyPartExamined',
  '00180050': 'SliceThickness',
  '00181030': 'ProtocolName',
  '0020000D': 'StudyInstanceUID',
  '0020000E': 'SeriesInstanceUID',
  '00200010': 'StudyID',
  '00200011': 'SeriesNumber',
  '00200013': 'InstanceNumber',
  '00200060': 'Laterality',
  '00280002': 'SamplesPerPixel',
  '00280008': 'NumberOfFrames',
  '00280010': 'Rows',
  '00280011': 'Columns',
  '00280100': 'BitsAllocated',
} as const;

export type IndexKeyword = (typeof indexAttributes)[keyof typeof indexAttributes];

/** Attributes stored as binary unsigned shorts; every other captured attribute is text. */
export const unsignedShortAttributes: ReadonlySet<string> = new Set(['00280002', '00280010', '00280011', '00280100']);
