import type { Code } from '../../domain/finding.js';
import { CONCEPTS, ENGLISH, PROCEDURES, TEMPLATES } from '../../domain/sr-codes.js';
import { findingTracking } from '../finding-tracking.js';
import type { ResultDocument, SourceImage } from '../result-document.js';
import { resultUid } from '../result-uids.js';
import { SEGMENTATION_CLASS, type SegmentReference } from '../seg/binary-segmentation.js';
import { measurementGroup } from './measurement-group.js';
import { checkReportDocument } from './report-checks.js';
import { codeContentItem, containerItem, imageItem, referencedSop, textItem, uidrefItem, type Item } from './sr-content-items.js';

/**
 * A DICOM SR TID 1500 Measurement Report from a ResultDocument, as a dcmjs naturalized data set
 * (docs/adr/0020-result-objects.md): Comprehensive 3D SR when a finding has a point or box in
 * patient space (SCOORD3D), Enhanced SR otherwise. Pure: the same document gives the same bytes.
 */

export const ENHANCED_SR = '1.2.840.10008.5.1.4.1.1.88.22';
export const COMPREHENSIVE_3D_SR = '1.2.840.10008.5.1.4.1.1.88.34';

/** The series of the hub's SR documents in a study. */
export const SR_SERIES_NUMBER = '9001';

const MAX_LO = 64;

/** SOP classes of the modalities a procedure is reported for (PS3.4 B.5). */
const MODALITY_BY_SOP_CLASS: Readonly<Record<string, keyof typeof PROCEDURES>> = {
  '1.2.840.10008.5.1.4.1.1.2': 'CT',
  '1.2.840.10008.5.1.4.1.1.2.1': 'CT',
  '1.2.840.10008.5.1.4.1.1.2.2': 'CT',
  '1.2.840.10008.5.1.4.1.1.4': 'MR',
  '1.2.840.10008.5.1.4.1.1.4.1': 'MR',
  '1.2.840.10008.5.1.4.1.1.4.4': 'MR',
  '1.2.840.10008.5.1.4.1.1.3.1': 'US',
  '1.2.840.10008.5.1.4.1.1.6.1': 'US',
  '1.2.840.10008.5.1.4.1.1.6.2': 'US',
};

/** Content Date and Time (UTC) of a moment in ms since the epoch. */
function dicomDateTime(ms: number): { date: string; time: string } {
  const iso = new Date(ms).toISOString();
  return { date: iso.slice(0, 10).replaceAll('-', ''), time: iso.slice(11, 19).replaceAll(':', '') };
}

/** The source images grouped by series, in the order the sources list them. */
function bySeries(sources: readonly SourceImage[]): Map<string, SourceImage[]> {
  const series = new Map<string, SourceImage[]>();
  for (const s of sources) series.set(s.seriesUid, [...(series.get(s.seriesUid) ?? []), s]);
  return series;
}

function procedures(sources: readonly SourceImage[]): Code[] {
  return [...new Set(sources.map((s) => MODALITY_BY_SOP_CLASS[s.sopClassUid] ?? 'other'))].map((modality) => PROCEDURES[modality]);
}

/** TID 1204 language, TID 1002/1004 Device observer, procedures reported. */
function contextItems(doc: ResultDocument): Item[] {
  const { analyzer } = doc;
  return [
    codeContentItem('HAS CONCEPT MOD', CONCEPTS.languageOfContent, ENGLISH),
    codeContentItem('HAS OBS CONTEXT', CONCEPTS.observerType, CONCEPTS.device),
    uidrefItem('HAS OBS CONTEXT', CONCEPTS.deviceObserverUid, resultUid(analyzer.id, 'device-observer')),
    textItem('HAS OBS CONTEXT', CONCEPTS.deviceObserverName, analyzer.name),
    textItem('HAS OBS CONTEXT', CONCEPTS.deviceObserverManufacturer, analyzer.manufacturer),
    textItem('HAS OBS CONTEXT', CONCEPTS.deviceObserverModelName, analyzer.id),
    textItem('HAS OBS CONTEXT', CONCEPTS.deviceObserverSerialNumber, analyzer.version),
    ...procedures(doc.sources).map((p) => codeContentItem('HAS CONCEPT MOD', CONCEPTS.procedureReported, p)),
  ];
}

/** TID 1600 Image Library: one group per series, an entry per source image. */
function imageLibrary(sources: readonly SourceImage[]): Item {
  const groups = [...bySeries(sources).values()].map((images) =>
    containerItem('CONTAINS', CONCEPTS.imageLibraryGroup, images.map((s) => imageItem('CONTAINS', undefined, s))),
  );
  return containerItem('CONTAINS', CONCEPTS.imageLibrary, groups);
}

function contentTree(doc: ResultDocument, segments: ReadonlyMap<number, SegmentReference>): Item {
  const groups = doc.findings.map((finding, i) => {
    const tracking = findingTracking(doc, i);
    const segment = segments.get(i);
    return measurementGroup(finding, { trackingId: tracking.id, trackingUid: tracking.uid, sources: doc.sources, ...(segment ? { segment } : {}) });
  });
  return containerItem(undefined, CONCEPTS.imagingMeasurementReport, [
    ...contextItems(doc),
    imageLibrary(doc.sources),
    containerItem('CONTAINS', CONCEPTS.imagingMeasurements, groups),
  ], TEMPLATES.measurementReport);
}

/** Current Requested Procedure Evidence: every source image, by series, and the SEG the findings' segments lie in. */
function evidence(studyUid: string, sources: readonly SourceImage[], segments: ReadonlyMap<number, SegmentReference>): Item[] {
  const series = [...bySeries(sources)].map(([seriesUid, images]) => ({ SeriesInstanceUID: seriesUid, ReferencedSOPSequence: images.map(referencedSop) }));
  const [segment] = segments.values();
  const segmentation = segment ? [{ SeriesInstanceUID: segment.seriesUid, ReferencedSOPSequence: [referencedSop({ sopClassUid: SEGMENTATION_CLASS, sopInstanceUid: segment.sopInstanceUid })] }] : [];
  return [{ StudyInstanceUID: studyUid, ReferencedSeriesSequence: [...series, ...segmentation] }];
}

function predecessorDocuments(doc: ResultDocument): Item {
  const p = doc.predecessor;
  if (!p) return {};
  const series = [{ SeriesInstanceUID: p.seriesUid, ReferencedSOPSequence: [referencedSop(p)] }];
  return { PredecessorDocumentsSequence: [{ StudyInstanceUID: p.studyUid, ReferencedSeriesSequence: series }] };
}

const usesPatientSpace = (doc: ResultDocument): boolean => doc.findings.some((f) => f.location?.point !== undefined || f.location?.box !== undefined);

/**
 * The Measurement Report of `doc`; RESULT_DOCUMENT_INVALID, listing every problem, when it cannot be
 * written. `segments` (by finding index) are where the findings lie in the SEG written beside it.
 */
export function measurementReport(doc: ResultDocument, segments: ReadonlyMap<number, SegmentReference> = new Map()): Item {
  checkReportDocument(doc);
  const ps = doc.patientStudy;
  const studyUid = ps.StudyInstanceUID ?? '';
  const { date, time } = dicomDateTime(doc.createdAt);
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: usesPatientSpace(doc) ? COMPREHENSIVE_3D_SR : ENHANCED_SR,
    SOPInstanceUID: resultUid(doc.resultKey, `sr/instance/${doc.revision}`),
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    TimezoneOffsetFromUTC: '+0000',
    PatientName: ps.PatientName ?? '',
    PatientID: ps.PatientID ?? '',
    PatientBirthDate: ps.PatientBirthDate ?? '',
    PatientSex: ps.PatientSex ?? '',
    StudyInstanceUID: studyUid,
    StudyDate: ps.StudyDate ?? '',
    StudyTime: ps.StudyTime ?? '',
    ReferringPhysicianName: ps.ReferringPhysicianName ?? '',
    StudyID: ps.StudyID ?? '',
    AccessionNumber: ps.AccessionNumber ?? '',
    Modality: 'SR',
    SeriesInstanceUID: resultUid(doc.resultKey, 'sr/series'),
    SeriesNumber: SR_SERIES_NUMBER,
    SeriesDate: date,
    SeriesTime: time,
    SeriesDescription: `AI results: ${doc.analyzer.name} ${doc.analyzer.version}`.slice(0, MAX_LO),
    ReferencedPerformedProcedureStepSequence: [],
    Manufacturer: 'Radbridge',
    InstanceNumber: String(doc.revision),
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ContentDate: date,
    ContentTime: time,
    ...predecessorDocuments(doc),
    CurrentRequestedProcedureEvidenceSequence: evidence(studyUid, doc.sources, segments),
    PerformedProcedureCodeSequence: [],
    ...contentTree(doc, segments),
  };
}
