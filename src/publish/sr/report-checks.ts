import { RadbridgeError } from '../../domain/errors.js';
import type { Code, Finding } from '../../domain/finding.js';
import type { ResultDocument, SourceImage } from '../result-document.js';

/**
 * What a Measurement Report needs of a ResultDocument, checked before anything is written: every
 * problem is listed in one RESULT_DOCUMENT_INVALID error. Pure.
 */

/** Code Meaning is LO: 64 characters. */
const MAX_MEANING = 64;

/**
 * The Frame of Reference UID a finding's coordinates are in: that of the source images of its
 * series (its images', else its mask's), else the one all sources share; undefined when neither
 * names exactly one.
 */
export function frameOfReferenceOf(finding: Finding, sources: readonly SourceImage[]): string | undefined {
  const series = new Set([...(finding.location?.images ?? []).map((i) => i.seriesUid), ...(finding.mask ? [finding.mask.seriesUid] : [])]);
  const of = (images: readonly SourceImage[]) => {
    const uids = new Set(images.flatMap((s) => (s.frameOfReferenceUid ? [s.frameOfReferenceUid] : [])));
    return uids.size === 1 ? [...uids][0] : undefined;
  };
  return of(sources.filter((s) => series.has(s.seriesUid))) ?? of(sources);
}

function codeIssues(what: string, code: Code | undefined): string[] {
  if (!code) return [];
  const issues: string[] = [];
  if (!code.scheme || !code.value || !code.meaning) issues.push(`${what} needs a scheme, a value and a meaning`);
  if (code.meaning.length > MAX_MEANING) issues.push(`${what} has a meaning of ${code.meaning.length} characters; DICOM allows ${MAX_MEANING}`);
  if (code.scheme === 'SRT') issues.push(`${what} uses the retired SRT scheme: write SCT`);
  return issues;
}

function findingIssues(finding: Finding, n: number, doc: ResultDocument): string[] {
  const at = `finding ${n} (${finding.type.meaning})`;
  const instances = new Map(doc.sources.map((s) => [s.sopInstanceUid, s]));
  const series = new Set(doc.sources.map((s) => s.seriesUid));
  const issues = [...codeIssues(`${at}: the type`, finding.type), ...codeIssues(`${at}: the site`, finding.site)];
  for (const image of finding.location?.images ?? []) {
    const source = image.sopInstanceUid === undefined ? undefined : instances.get(image.sopInstanceUid);
    if (image.sopInstanceUid !== undefined && !source) issues.push(`${at} refers to image ${image.sopInstanceUid}, which is not among the source images`);
    else if (source && source.seriesUid !== image.seriesUid) issues.push(`${at} places image ${image.sopInstanceUid} in series ${image.seriesUid}; the source image is in ${source.seriesUid}`);
    else if (!series.has(image.seriesUid)) issues.push(`${at} refers to series ${image.seriesUid}, which has no source image`);
    if (image.frame !== undefined && !(Number.isInteger(image.frame) && image.frame >= 1)) issues.push(`${at}: frame ${image.frame} is not a frame number (1, 2, …)`);
  }
  for (const m of finding.measurements) {
    const what = `${at}: measurement ${m.concept.meaning}`;
    if (m.unit.scheme !== 'UCUM') issues.push(`${what} has unit ${m.unit.value} in scheme ${m.unit.scheme}; units must be UCUM codes`);
    if (!Number.isFinite(m.value)) issues.push(`${what} is ${m.value}, not a finite number`);
    issues.push(...codeIssues(what, m.concept), ...codeIssues(`${what}: the unit`, m.unit));
  }
  if (finding.confidence !== undefined && !(finding.confidence >= 0 && finding.confidence <= 1)) issues.push(`${at}: confidence ${finding.confidence} is not within 0..1`);
  const coordinates = [...(finding.location?.point ?? []), ...(finding.location?.box?.flat() ?? [])];
  if (coordinates.some((c) => !Number.isFinite(c))) issues.push(`${at}: a coordinate of its point or box is not a finite number`);
  if (coordinates.length > 0 && !frameOfReferenceOf(finding, doc.sources)) issues.push(`${at} has a point or box but its source images name no single Frame of Reference UID`);
  return issues;
}

export function checkReportDocument(doc: ResultDocument): void {
  const issues: string[] = [];
  if (!doc.patientStudy.StudyInstanceUID) issues.push('patientStudy has no StudyInstanceUID');
  if (doc.sources.length === 0) issues.push('the result has no source images: the report would have no evidence');
  if (!Number.isInteger(doc.revision) || doc.revision < 1) issues.push(`revision ${doc.revision} is not 1, 2, …`);
  if (doc.revision > 1 && !doc.predecessor) issues.push(`revision ${doc.revision} amends a report but names no predecessor`);
  if (doc.revision === 1 && doc.predecessor) issues.push('revision 1 is the analyzer\'s own report but names a predecessor');
  doc.findings.forEach((f, i) => issues.push(...findingIssues(f, i + 1, doc)));
  if (issues.length > 0) throw new RadbridgeError('RESULT_DOCUMENT_INVALID', `the Measurement Report cannot be written: ${issues.join('; ')}`, issues);
}
