import type { InstanceMatch, SeriesMatch, StudyMatch } from '../store/study-queries.js';
import { attr, type JsonDataset } from './dicom-json.js';

/** The DICOM JSON of QIDO-RS matches: the PS3.18 default return attributes of each level, plus what was asked for. */

type Value = string | number | null | string[];

interface ReturnAttribute<M> {
  tag: string;
  vr: string;
  /** Returned whatever includefield says (PS3.18 Tables 10.6.3-3 to -5). */
  byDefault: boolean;
  value: (match: M, base: string) => Value;
}

const studyAttributes: Array<ReturnAttribute<StudyMatch>> = [
  { tag: '00080020', vr: 'DA', byDefault: true, value: (s) => s.studyDate },
  { tag: '00080030', vr: 'TM', byDefault: true, value: (s) => s.studyTime },
  { tag: '00080050', vr: 'SH', byDefault: true, value: (s) => s.accessionNumber },
  { tag: '00080061', vr: 'CS', byDefault: true, value: (s) => (s.modalities.length > 0 ? s.modalities : null) },
  { tag: '00080080', vr: 'LO', byDefault: false, value: (s) => s.institutionName },
  { tag: '00080090', vr: 'PN', byDefault: true, value: (s) => s.referringPhysicianName },
  { tag: '00081030', vr: 'LO', byDefault: true, value: (s) => s.studyDescription },
  { tag: '00081190', vr: 'UR', byDefault: true, value: (s, base) => `${base}/studies/${s.studyUid}` },
  { tag: '00100010', vr: 'PN', byDefault: true, value: (s) => s.patientName },
  { tag: '00100020', vr: 'LO', byDefault: true, value: (s) => s.patientId },
  { tag: '00100030', vr: 'DA', byDefault: true, value: (s) => s.patientBirthDate },
  { tag: '00100040', vr: 'CS', byDefault: true, value: (s) => s.patientSex },
  { tag: '0020000D', vr: 'UI', byDefault: true, value: (s) => s.studyUid },
  { tag: '00200010', vr: 'SH', byDefault: true, value: (s) => s.studyId },
  { tag: '00201206', vr: 'IS', byDefault: true, value: (s) => s.numSeries },
  { tag: '00201208', vr: 'IS', byDefault: true, value: (s) => s.numInstances },
];

const seriesAttributes: Array<ReturnAttribute<SeriesMatch>> = [
  { tag: '00080021', vr: 'DA', byDefault: false, value: (s) => s.seriesDate },
  { tag: '00080031', vr: 'TM', byDefault: false, value: (s) => s.seriesTime },
  { tag: '00080060', vr: 'CS', byDefault: true, value: (s) => s.modality },
  { tag: '00080070', vr: 'LO', byDefault: false, value: (s) => s.manufacturer },
  { tag: '00081010', vr: 'SH', byDefault: false, value: (s) => s.stationName },
  { tag: '0008103E', vr: 'LO', byDefault: true, value: (s) => s.seriesDescription },
  { tag: '00081090', vr: 'LO', byDefault: false, value: (s) => s.manufacturerModelName },
  { tag: '00081190', vr: 'UR', byDefault: true, value: (s, base) => `${base}/studies/${s.study.studyUid}/series/${s.seriesUid}` },
  { tag: '00180015', vr: 'CS', byDefault: true, value: (s) => s.bodyPartExamined },
  { tag: '00181030', vr: 'LO', byDefault: false, value: (s) => s.protocolName },
  { tag: '0020000E', vr: 'UI', byDefault: true, value: (s) => s.seriesUid },
  { tag: '00200011', vr: 'IS', byDefault: true, value: (s) => s.seriesNumber },
  { tag: '00200060', vr: 'CS', byDefault: false, value: (s) => s.laterality },
  { tag: '00201209', vr: 'IS', byDefault: true, value: (s) => s.numInstances },
];

const instanceAttributes: Array<ReturnAttribute<InstanceMatch>> = [
  { tag: '00080016', vr: 'UI', byDefault: true, value: (i) => i.sopClassUid },
  { tag: '00080018', vr: 'UI', byDefault: true, value: (i) => i.sopInstanceUid },
  { tag: '00083002', vr: 'UI', byDefault: false, value: (i) => i.transferSyntaxUid },
  {
    tag: '00081190',
    vr: 'UR',
    byDefault: true,
    value: (i, base) => `${base}/studies/${i.series.study.studyUid}/series/${i.series.seriesUid}/instances/${i.sopInstanceUid}`,
  },
  { tag: '00200013', vr: 'IS', byDefault: true, value: (i) => i.instanceNumber },
  { tag: '00280002', vr: 'US', byDefault: false, value: (i) => i.samplesPerPixel },
  { tag: '00280008', vr: 'IS', byDefault: true, value: (i) => i.numberOfFrames },
  { tag: '00280010', vr: 'US', byDefault: true, value: (i) => i.rows },
  { tag: '00280011', vr: 'US', byDefault: true, value: (i) => i.columns },
  { tag: '00280100', vr: 'US', byDefault: false, value: (i) => i.bitsAllocated },
];

export interface ResponseShape {
  /** Tags asked for by includefield or as query keys, or 'all'. */
  include: Set<string> | 'all';
  /** The DICOMweb root for RetrieveURLs. */
  base: string;
}

function datasetOf<M>(attributes: Array<ReturnAttribute<M>>, match: M, shape: ResponseShape): JsonDataset {
  const dataset: JsonDataset = {};
  for (const a of attributes) {
    if (a.byDefault || shape.include === 'all' || shape.include.has(a.tag)) dataset[a.tag] = attr(a.vr, a.value(match, shape.base));
  }
  return dataset;
}

function sorted(dataset: JsonDataset): JsonDataset {
  return Object.fromEntries(Object.entries(dataset).sort(([a], [b]) => a.localeCompare(b)));
}

export function studyDataset(study: StudyMatch, shape: ResponseShape): JsonDataset {
  return sorted(datasetOf(studyAttributes, study, shape));
}

/** A search of all series also returns each series' study attributes; a search within a study only its UID. */
export function seriesDataset(series: SeriesMatch, shape: ResponseShape, withStudy: boolean): JsonDataset {
  const parent = withStudy ? datasetOf(studyAttributes, series.study, shape) : { '0020000D': attr('UI', series.study.studyUid) };
  return sorted({ ...parent, ...datasetOf(seriesAttributes, series, shape) });
}

/** Instances carry their series' attributes unless searched within a series, and their study's unless searched within a study. */
export function instanceDataset(instance: InstanceMatch, shape: ResponseShape, scope: { withStudy: boolean; withSeries: boolean }): JsonDataset {
  const series = instance.series;
  const parents = {
    ...(scope.withStudy ? datasetOf(studyAttributes, series.study, shape) : { '0020000D': attr('UI', series.study.studyUid) }),
    ...(scope.withSeries ? datasetOf(seriesAttributes, series, shape) : { '0020000E': attr('UI', series.seriesUid) }),
  };
  return sorted({ ...parents, ...datasetOf(instanceAttributes, instance, shape) });
}
