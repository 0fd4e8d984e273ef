import type { Code, Finding, Measurement } from '../domain/finding.js';
import { CONCEPTS, LATERALITY_CODES, PRESENCE_CODES, UCUM_PERCENT } from '../domain/sr-codes.js';
import type { ResultDocument } from '../publish/result-document.js';
import { codeableConcept, fhirIdOf, fhirInstant, fhirText, imagingStudyReference, patientReference, systemOf } from './fhir-coding.js';
import type { FhirBundle, FhirCodeableConcept, FhirDiagnosticReport, FhirObservation, FhirObservationComponent, FhirQuantity, FhirReference } from './fhir-types.js';

/**
 * The preliminary AI result of one analysis as a FHIR R4 transaction Bundle: one Observation per
 * finding (its type coded with its presence, the site as bodySite, the side, each measurement as
 * a UCUM quantity and the confidence as components) and one DiagnosticReport over them for the
 * study. Every entry is a PUT with an id derived from the result key, so sending the bundle again
 * changes nothing on the server and a revision (a person's amendment) updates the same resources;
 * the bundle's own id names the revision. The
 * patient and the study are logical references by identifier. The analyzer has no element of its
 * own without a profile or extension: it is the Observations' method (name and version) and
 * display-only device (id@version), and it is named in the report's conclusion. Pure.
 */

const category = (system: string, code: string, display: string): FhirCodeableConcept[] => [{ coding: [{ system, code, display }] }];
const IMAGING = category('http://terminology.hl7.org/CodeSystem/observation-category', 'imaging', 'Imaging');
const RADIOLOGY = category('http://terminology.hl7.org/CodeSystem/v2-0074', 'RAD', 'Radiology');
const DIAGNOSTIC_IMAGING_STUDY: FhirCodeableConcept = { coding: [{ system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' }], text: 'Diagnostic imaging study' };
const ACCESSION_NUMBER: FhirCodeableConcept = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN', display: 'Accession ID' }] };

/** A fraction as a percentage, to 12 significant digits, as the SR writes Certainty of Finding (src/publish/sr/measurement-group.ts). */
const percent = (fraction: number): number => Number((fraction * 100).toPrecision(12));

/** The key of a resource's id: the result, whatever its revision. */
const keyOf = (doc: ResultDocument, part: string): string => `${doc.resultKey}|${part}`;

function quantity(value: number, unit: Code): FhirQuantity {
  const code = fhirText(unit.value);
  const text = fhirText(unit.meaning) ?? code;
  return { value, ...(text ? { unit: text } : {}), ...(code ? { system: systemOf(unit.scheme), code } : {}) };
}

/** A measurement as a component; its method, when it has one, qualifies the code's text (a component has no method of its own), so two volumes measured two ways stay apart. */
function measurementComponent(m: Measurement): FhirObservationComponent {
  const concept = codeableConcept(m.concept);
  const method = fhirText(m.method);
  return { code: method ? { ...concept, text: `${concept.text ?? ''} (${method})`.trim() } : concept, valueQuantity: quantity(m.value, m.unit) };
}

function components(finding: Finding): FhirObservationComponent[] {
  return [
    ...(finding.laterality ? [{ code: codeableConcept(CONCEPTS.laterality), valueCodeableConcept: codeableConcept(LATERALITY_CODES[finding.laterality]) }] : []),
    // A value that is not a finite number has no JSON form FHIR accepts: it is left out.
    ...finding.measurements.filter((m) => Number.isFinite(m.value)).map(measurementComponent),
    // Confidence as the SR carries it: DCM 111012 Certainty of Finding, in percent.
    ...(finding.confidence !== undefined && Number.isFinite(finding.confidence) ? [{ code: codeableConcept(CONCEPTS.certaintyOfFinding), valueQuantity: quantity(percent(finding.confidence), UCUM_PERCENT) }] : []),
  ];
}

/** StudyDate (and StudyTime, with TimezoneOffsetFromUTC) as a FHIR dateTime: a time needs a zone in FHIR, so without an offset only the date is given. */
export function studyDateTime(attributes: Record<string, string | undefined>): string | undefined {
  const d = /^(\d{4})(\d{2})(\d{2})$/.exec(fhirText(attributes.StudyDate) ?? '');
  if (!d?.[1] || !d[2] || !d[3]) return undefined;
  const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const check = new Date(Date.UTC(2000, month - 1, day));
  check.setUTCFullYear(year);
  if (year < 1 || check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  const date = `${d[1]}-${d[2]}-${d[3]}`;
  const t = /^([01]\d|2[0-3])([0-5]\d)([0-5]\d)?(\.\d{1,6})?$/.exec(fhirText(attributes.StudyTime) ?? '');
  const zone = /^([+-])((?:0\d|1[0-3])|14(?=00))([0-5]\d)$/.exec(fhirText(attributes.TimezoneOffsetFromUTC) ?? '');
  if (!t || !zone) return date;
  return `${date}T${t[1]}:${t[2]}:${t[3] ?? '00'}${t[4] ?? ''}${zone[1]}${zone[2]}:${zone[3]}`;
}

interface Shared {
  subject: FhirReference | undefined;
  study: FhirReference | undefined;
  effective: string | undefined;
  issued: string;
  analyzer: string;
}

function observation(doc: ResultDocument, finding: Finding, index: number, shared: Shared): FhirObservation {
  const parts = components(finding);
  return {
    resourceType: 'Observation',
    id: fhirIdOf(keyOf(doc, `Observation|${index}`)),
    status: 'preliminary',
    category: IMAGING,
    code: codeableConcept(finding.type),
    ...(shared.subject ? { subject: shared.subject } : {}),
    ...(shared.effective ? { effectiveDateTime: shared.effective } : {}),
    issued: shared.issued,
    valueCodeableConcept: codeableConcept(PRESENCE_CODES[finding.presence]),
    ...(finding.site ? { bodySite: codeableConcept(finding.site) } : {}),
    method: { text: shared.analyzer },
    device: { type: 'Device', display: fhirText(`${finding.source.id}@${finding.source.version}`) ?? shared.analyzer },
    ...(shared.study ? { derivedFrom: [shared.study] } : {}),
    ...(parts.length > 0 ? { component: parts } : {}),
  };
}

/** One line: the analyzer, then each present finding with its side and site, then the indeterminate ones. */
function conclusion(doc: ResultDocument, analyzer: string): string {
  const name = (f: Finding) => codeableConcept(f.type).text ?? 'finding';
  const present = doc.findings.filter((f) => f.presence === 'present').map((f) => [name(f), f.laterality, f.site && codeableConcept(f.site).text].filter(Boolean).join(', '));
  const indeterminate = doc.findings.filter((f) => f.presence === 'indeterminate').map(name);
  const parts = [present.length > 0 ? `present: ${present.join('; ')}` : 'no finding present', ...(indeterminate.length > 0 ? [`indeterminate: ${indeterminate.join('; ')}`] : [])];
  return fhirText(`${analyzer} (AI, preliminary): ${parts.join('. ')}.`) ?? 'AI result (preliminary)';
}

function diagnosticReport(doc: ResultDocument, observations: FhirObservation[], shared: Shared): FhirDiagnosticReport {
  const accession = fhirText(doc.patientStudy.AccessionNumber);
  return {
    resourceType: 'DiagnosticReport',
    id: fhirIdOf(keyOf(doc, 'DiagnosticReport')),
    ...(accession ? { identifier: [{ type: ACCESSION_NUMBER, value: accession }] } : {}),
    status: 'preliminary',
    category: RADIOLOGY,
    code: DIAGNOSTIC_IMAGING_STUDY,
    ...(shared.subject ? { subject: shared.subject } : {}),
    ...(shared.effective ? { effectiveDateTime: shared.effective } : {}),
    issued: shared.issued,
    result: observations.map((o) => ({ reference: `Observation/${o.id}` })),
    ...(shared.study ? { imagingStudy: [shared.study] } : {}),
    conclusion: conclusion(doc, shared.analyzer),
  };
}

/** The transaction Bundle of `doc`, assembled at `now` (ms since the epoch): its Observations, then its DiagnosticReport. */
export function reportBundle(doc: ResultDocument, now: number): FhirBundle {
  const shared: Shared = {
    subject: patientReference(doc.patientStudy),
    study: imagingStudyReference(doc.patientStudy),
    effective: studyDateTime(doc.patientStudy),
    issued: fhirInstant(doc.createdAt),
    analyzer: fhirText(`${doc.analyzer.name} ${doc.analyzer.version}`) ?? 'AI analyzer',
  };
  const observations = doc.findings.map((f, i) => observation(doc, f, i, shared));
  const report = diagnosticReport(doc, observations, shared);
  return {
    resourceType: 'Bundle',
    id: fhirIdOf(`${doc.resultKey}|${doc.revision}|Bundle`),
    type: 'transaction',
    timestamp: fhirInstant(now),
    entry: [...observations, report].map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } })),
  };
}
