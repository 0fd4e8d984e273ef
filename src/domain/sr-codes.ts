import type { Code, Finding, Laterality } from './finding.js';

/**
 * The coded concepts of DICOM SR documents the hub writes (src/publish/sr) and reads
 * (src/analyze/import), as PS3.16 (DCM), SNOMED CT (SCT), UCUM and RFC 5646 define them. The
 * retired SNOMED DICOM Microglossary designator SRT is never written. Pure data.
 */

const dcm = (value: string, meaning: string): Code => ({ scheme: 'DCM', value, meaning });
const sct = (value: string, meaning: string): Code => ({ scheme: 'SCT', value, meaning });

export const CONCEPTS = {
  imagingMeasurementReport: dcm('126000', 'Imaging Measurement Report'),
  imagingMeasurements: dcm('126010', 'Imaging Measurements'),
  imageLibrary: dcm('111028', 'Image Library'),
  imageLibraryGroup: dcm('126200', 'Image Library Group'),
  measurementGroup: dcm('125007', 'Measurement Group'),
  languageOfContent: dcm('121049', 'Language of Content Item and Descendants'),
  observerType: dcm('121005', 'Observer Type'),
  device: dcm('121007', 'Device'),
  personObserverName: dcm('121008', 'Person Observer Name'),
  deviceObserverUid: dcm('121012', 'Device Observer UID'),
  deviceObserverName: dcm('121013', 'Device Observer Name'),
  deviceObserverManufacturer: dcm('121014', 'Device Observer Manufacturer'),
  deviceObserverModelName: dcm('121015', 'Device Observer Model Name'),
  deviceObserverSerialNumber: dcm('121016', 'Device Observer Serial Number'),
  procedureReported: dcm('121058', 'Procedure reported'),
  trackingIdentifier: dcm('112039', 'Tracking Identifier'),
  trackingUid: dcm('112040', 'Tracking Unique Identifier'),
  finding: dcm('121071', 'Finding'),
  singleImageFinding: dcm('111059', 'Single Image Finding'),
  findingSite: sct('363698007', 'Finding Site'),
  laterality: sct('272741003', 'Laterality'),
  imageRegion: dcm('111030', 'Image Region'),
  center: dcm('111010', 'Center'),
  volumeSurface: dcm('121231', 'Volume Surface'),
  source: sct('260753009', 'Source'),
  seriesInstanceUid: dcm('112002', 'Series Instance UID'),
  referencedSegment: dcm('121191', 'Referenced Segment'),
  sourceSeriesForSegmentation: dcm('121232', 'Source series for segmentation'),
  certaintyOfFinding: dcm('111012', 'Certainty of Finding'),
  algorithmName: dcm('111001', 'Algorithm Name'),
  algorithmParameters: dcm('111002', 'Algorithm Parameters'),
  algorithmVersion: dcm('111003', 'Algorithm Version'),
  measurementMethod: sct('370129005', 'Measurement Method'),
  volume: sct('118565006', 'Volume'),
} as const;

/** Template identifiers (DCMR) of the containers the hub writes. */
export const TEMPLATES = { measurementReport: '1500', volumetricRoi: '1411', measurementGroup: '1501' } as const;

export const ENGLISH: Code = { scheme: 'RFC5646', value: 'en-US', meaning: 'English (United States)' };

export const UCUM_ML: Code = { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' };
export const UCUM_PERCENT: Code = { scheme: 'UCUM', value: '%', meaning: 'Percent' };

/** Laterality values (CID 244), the first code of each side the one written. */
export const LATERALITY_CODES: Record<Laterality, Code> = {
  left: sct('7771000', 'Left'),
  right: sct('24028007', 'Right'),
  bilateral: sct('51440002', 'Right and left'),
  midline: sct('399488007', 'Midline'),
};

/** Presence values (CID 241 Present-Absent, with Indeterminate). */
export const PRESENCE_CODES: Record<Finding['presence'], Code> = {
  present: sct('52101004', 'Present'),
  absent: sct('272519000', 'Absent'),
  indeterminate: sct('82334004', 'Indeterminate'),
};

/** The SCT Absent qualifier some senders write for absence instead of CID 241's code. */
export const ABSENT_QUALIFIER = sct('2667000', 'Absent');

/** Procedure reported by the modality of the source images; an imaging procedure for any other. */
export const PROCEDURES = {
  CT: sct('77477000', 'Computerized axial tomography'),
  MR: sct('113091000', 'Magnetic resonance imaging'),
  US: sct('16310003', 'Ultrasonography'),
  other: sct('363679005', 'Imaging'),
} as const;

/** How an Algorithm Parameters item (TID 4019) carries the sha256 of the model file: this prefix, then the hex digest. */
export const MODEL_HASH_PARAMETER = 'model-sha256=';
