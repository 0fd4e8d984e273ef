import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AlertNotice } from '../src/domain/alert.js';
import type { Finding } from '../src/domain/finding.js';
import { communicationBundle } from '../src/notify/fhir-communication.js';
import { reportBundle } from '../src/notify/fhir-report.js';
import type { FhirBundle, FhirCommunication, FhirDiagnosticReport, FhirObservation, FhirResource } from '../src/notify/fhir-types.js';
import type { ResultDocument } from '../src/publish/result-document.js';
import { fhirSchemaErrors, startFhirServer, type FhirTestServer } from './support/fhir-server.js';
import { absentPneumothorax, haemorrhage, headDocument, indeterminateShift, midlineShift, STUDY_UID } from './support/result-documents.js';

const NOW = Date.UTC(2026, 2, 1, 10, 21);
const SCT = 'http://snomed.info/sct';
const UCUM = 'http://unitsofmeasure.org';
const STUDY_REFERENCE = { type: 'ImagingStudy', identifier: { system: 'urn:dicom:uid', value: `urn:oid:${STUDY_UID}` } };

const document = (revision = 1): ResultDocument => headDocument([haemorrhage, midlineShift, absentPneumothorax, indeterminateShift], revision);
const resourcesOf = (bundle: FhirBundle): FhirResource[] => bundle.entry.map((e) => e.resource);
const observationsOf = (bundle: FhirBundle) => resourcesOf(bundle).filter((r): r is FhirObservation => r.resourceType === 'Observation');
const reportOf = (bundle: FhirBundle) => resourcesOf(bundle).find((r): r is FhirDiagnosticReport => r.resourceType === 'DiagnosticReport');
const componentOf = (o: FhirObservation | undefined, code: string) => o?.component?.filter((c) => c.code.coding?.[0]?.code === code) ?? [];

const notice: AlertNotice = {
  alertId: 'alert-7f3a',
  level: 'critical',
  step: 0,
  reasons: ['Intracranial hemorrhage, 14.4 mL', 'Midline shift of brain 6.4 mm (>= 5 mm)'],
  createdAt: Date.UTC(2026, 2, 1, 10, 20, 40),
  study: { PatientID: 'P-SR-1', PatientName: 'Test^Trauma', AccessionNumber: 'ACC42', StudyInstanceUID: STUDY_UID },
};

describe('FHIR R4 report bundle of an analysis result', () => {
  const bundle = reportBundle(document(), NOW);
  const observations = observationsOf(bundle);
  const report = reportOf(bundle);

  it('validates against the R4 JSON schema: the bundle and every resource in it', () => {
    assert.deepEqual(fhirSchemaErrors(bundle), []);
    for (const resource of resourcesOf(bundle)) assert.deepEqual(fhirSchemaErrors(resource), [], `${resource.resourceType}/${resource.id}`);
    assert.equal(bundle.type, 'transaction');
    assert.deepEqual(bundle.entry.map((e) => [e.request.method, e.request.url]), resourcesOf(bundle).map((r) => ['PUT', `${r.resourceType}/${r.id}`]));
  });

  it('makes a preliminary DiagnosticReport over every Observation, on the ImagingStudy by urn:oid and the patient by identifier', () => {
    assert.ok(report);
    assert.equal(observations.length, 4);
    assert.equal(report.status, 'preliminary');
    assert.deepEqual(report.result, observations.map((o) => ({ reference: `Observation/${o.id}` })));
    assert.deepEqual(report.imagingStudy, [STUDY_REFERENCE]);
    assert.deepEqual(report.code.coding, [{ system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' }]);
    assert.equal(report.category[0]?.coding?.[0]?.code, 'RAD');
    assert.deepEqual(report.identifier?.[0]?.type?.coding?.[0]?.code, 'ACSN');
    assert.equal(report.identifier?.[0]?.value, 'ACC42');
    assert.deepEqual(report.subject, { type: 'Patient', identifier: { value: 'P-SR-1' }, display: 'Trauma Test' });
    assert.equal(report.effectiveDateTime, '2026-03-01', 'a StudyTime without a zone offset gives only the date');
    assert.equal(report.issued, '2026-03-01T10:20:30.000Z');
    assert.match(report.conclusion, /^Head CT haemorrhage and midline shift 1\.0\.0 \(AI, preliminary\): present: Intracranial hemorrhage, left, Intracranial structure; Midline shift of brain, right/);
    assert.doesNotMatch(report.conclusion, /Pneumothorax/, 'an absent finding is not in the summary');
    const withZone = reportOf(reportBundle({ ...document(), patientStudy: { ...document().patientStudy, TimezoneOffsetFromUTC: '+0100' } }, NOW));
    assert.equal(withZone?.effectiveDateTime, '2026-03-01T10:15:00+01:00');
  });

  it('codes each finding with its presence, site, side, UCUM measurements, confidence and the analyzer', () => {
    const [bleed, shift, pneumothorax, indeterminate] = observations;
    assert.ok(bleed && shift && pneumothorax && indeterminate);
    assert.deepEqual([bleed.status, bleed.category[0]?.coding?.[0]?.code], ['preliminary', 'imaging']);
    assert.deepEqual(bleed.code.coding, [{ system: SCT, code: '1386000', display: 'Intracranial hemorrhage' }]);
    assert.deepEqual([bleed, shift, pneumothorax, indeterminate].map((o) => o.valueCodeableConcept.coding?.[0]?.code), ['52101004', '52101004', '272519000', '82334004']);
    assert.deepEqual(bleed.bodySite?.coding, [{ system: SCT, code: '1101003', display: 'Intracranial structure' }]);
    assert.equal(pneumothorax.bodySite?.coding?.[0]?.system, 'urn:radbridge:code-system:99RADBRIDGE', 'a local designator has a stable URN');
    assert.deepEqual(componentOf(bleed, '272741003').map((c) => c.valueCodeableConcept?.coding?.[0]?.code), ['7771000']);
    assert.deepEqual(componentOf(shift, '272741003').map((c) => c.valueCodeableConcept?.coding?.[0]?.code), ['24028007']);
    assert.deepEqual(componentOf(bleed, '118565006').map((c) => c.valueQuantity), [
      { value: 14.37, unit: 'milliliter', system: UCUM, code: 'mL' },
      { value: 12.9, unit: 'milliliter', system: UCUM, code: 'mL' },
    ]);
    assert.deepEqual(componentOf(bleed, '118565006').map((c) => c.code.text?.slice(0, 21)), ['Volume (voxel count)', 'Volume (ABC/2: A 41.2']);
    assert.deepEqual(componentOf(shift, '121206').map((c) => c.valueQuantity), [{ value: 6.4, unit: 'millimeter', system: UCUM, code: 'mm' }]);
    assert.deepEqual(componentOf(bleed, '111012').map((c) => [c.code.coding?.[0]?.system, c.valueQuantity]), [['http://dicom.nema.org/resources/ontology/DCM', { value: 95, unit: 'Percent', system: UCUM, code: '%' }]]);
    assert.deepEqual(componentOf(shift, '111012'), [], 'no confidence, no component');
    assert.equal(indeterminate.component, undefined);
    assert.deepEqual([bleed.method.text, bleed.device], ['Head CT haemorrhage and midline shift 1.0.0', { type: 'Device', display: 'head-ct@1.0.0' }]);
    assert.deepEqual(bleed.derivedFrom, [STUDY_REFERENCE]);
    assert.deepEqual([bleed.subject, bleed.issued], [report?.subject, report?.issued]);
  });

  it('builds the same JSON twice, and for another revision a new bundle updating the same resources', () => {
    assert.equal(JSON.stringify(reportBundle(document(), NOW)), JSON.stringify(bundle));
    const revised = reportBundle(document(2), NOW);
    const ids = (b: FhirBundle) => resourcesOf(b).map((r) => r.id);
    assert.deepEqual(ids(revised), ids(bundle));
    assert.notEqual(revised.id, bundle.id);
    assert.equal(new Set(ids(bundle)).size, ids(bundle).length, 'every resource has an id of its own');
    for (const id of [bundle.id, revised.id, ...ids(bundle)]) assert.match(id, /^[A-Za-z0-9\-.]{1,64}$/);
  });

  it('still validates with hostile DICOM values: separators, newlines, padding, non-ASCII, empty accession, no Patient ID', () => {
    const padded: Finding = { ...haemorrhage, type: { scheme: ' SCT ', value: ' 1386000 ', meaning: 'Intracranial\nhemorrhage  ' }, measurements: [{ ...haemorrhage.measurements[0]!, unit: { scheme: 'UCUM', value: 'mL ', meaning: '' } }] };
    const base = document();
    const hostile = (patientStudy: ResultDocument['patientStudy']) => reportBundle({ ...base, findings: [padded, absentPneumothorax], patientStudy }, NOW);
    const withId = hostile({ PatientName: '  Ünal|Ω^ José\n\tÅsa ^^Dr.^ ', PatientID: '  P|1\n ', AccessionNumber: '', StudyInstanceUID: ` ${STUDY_UID} `, StudyDate: '20260231', StudyTime: '' });
    const withoutId = hostile({ PatientName: 'Doe^Jane', AccessionNumber: '   ', StudyInstanceUID: STUDY_UID, StudyDate: 'yesterday' });
    for (const b of [withId, withoutId]) assert.deepEqual(fhirSchemaErrors(b), []);
    const report = reportOf(withId);
    assert.deepEqual(report?.subject, { type: 'Patient', identifier: { value: 'P|1' }, display: 'Dr. José Åsa Ünal|Ω' });
    assert.deepEqual([report?.identifier, report?.effectiveDateTime, report?.imagingStudy], [undefined, undefined, [STUDY_REFERENCE]]);
    const [obs] = observationsOf(withId);
    assert.deepEqual(obs?.code, { coding: [{ system: SCT, code: '1386000', display: 'Intracranial hemorrhage' }], text: 'Intracranial hemorrhage' });
    assert.deepEqual(obs?.component?.[1]?.valueQuantity, { value: 14.37, unit: 'mL', system: UCUM, code: 'mL' });
    assert.equal(reportOf(withoutId)?.subject, undefined);
    assert.ok(observationsOf(withoutId).every((o) => o.subject === undefined));
  });

  it('the schema check can fail: a bogus status, a padded code or an empty string is an error naming its path', () => {
    assert.match(fhirSchemaErrors({ resourceType: 'Observation', status: 'bogus', code: { text: 'x' } }).join('\n'), /^Observation\.status: should be equal to one of the allowed values/m);
    const [first] = observations;
    assert.ok(first);
    const broken = { ...bundle, entry: [{ ...bundle.entry[0], resource: { ...first, code: { coding: [{ system: SCT, code: ' 1386000' }], text: '' } } }] };
    const errors = fhirSchemaErrors(broken);
    assert.ok(errors.some((e) => e.startsWith('Bundle.entry[0].resource.code.coding[0].code: should match pattern')), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('Bundle.entry[0].resource.code.text: should match pattern')), errors.join('\n'));
    assert.deepEqual(fhirSchemaErrors({ resourceType: 'NotAResource' }), ['NotAResource.resourceType: "NotAResource" is not an R4 resource type']);
  });
});

describe('FHIR R4 Communication of an alert', () => {
  const bundle = communicationBundle(notice, 'PractitionerRole/trauma-on-call', NOW);
  const communication = bundle.entry[0]?.resource as FhirCommunication;

  it('validates, is stat for a critical alert, names the recipient and carries every reason', () => {
    assert.deepEqual(fhirSchemaErrors(bundle), []);
    assert.deepEqual(fhirSchemaErrors(communication), []);
    assert.deepEqual([bundle.entry.length, bundle.entry[0]?.request], [1, { method: 'PUT', url: `Communication/${communication.id}` }]);
    assert.deepEqual([communication.status, communication.priority, communication.sent], ['in-progress', 'stat', '2026-03-01T10:21:00.000Z']);
    assert.deepEqual(communication.category[0]?.coding?.[0], { system: 'http://terminology.hl7.org/CodeSystem/communication-category', code: 'alert', display: 'Alert' });
    assert.deepEqual(communication.identifier, [{ system: 'urn:radbridge:alert', value: 'alert-7f3a' }]);
    assert.deepEqual(communication.recipient, [{ reference: 'PractitionerRole/trauma-on-call' }]);
    assert.deepEqual(communication.about, [STUDY_REFERENCE]);
    assert.equal(communication.subject?.identifier?.value, 'P-SR-1');
    const lines = communication.payload[0]?.contentString.split('\n') ?? [];
    assert.match(lines[0] ?? '', /^CRITICAL/);
    for (const reason of notice.reasons) assert.ok(lines.includes(reason), reason);
    assert.ok(lines.includes('Accession number: ACC42'));
  });

  it('is urgent for an urgent alert, keeps its id per alert, step and recipient, and refuses an empty recipient', () => {
    const urgent = communicationBundle({ ...notice, level: 'urgent', study: {} }, 'Practitioner/1', NOW);
    assert.deepEqual(fhirSchemaErrors(urgent), []);
    assert.equal((urgent.entry[0]?.resource as FhirCommunication).priority, 'urgent');
    assert.equal(JSON.stringify(communicationBundle(notice, 'PractitionerRole/trauma-on-call', NOW)), JSON.stringify(bundle));
    const idOf = (b: FhirBundle) => b.entry[0]?.resource.id;
    assert.notEqual(idOf(communicationBundle({ ...notice, step: 1 }, 'PractitionerRole/trauma-on-call', NOW)), communication.id);
    assert.notEqual(idOf(communicationBundle(notice, 'Practitioner/2', NOW)), communication.id);
    assert.throws(() => communicationBundle(notice, '  ', NOW), /recipient is empty/);
  });
});

describe('the test FHIR server', () => {
  let server: FhirTestServer;
  before(async () => {
    server = await startFhirServer();
  });
  after(() => server.close());

  const post = (body: unknown) => fetch(`${server.url}/`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' }, body: JSON.stringify(body) });
  const json = async (response: Response) => (await response.json()) as { resourceType: string; entry?: Array<{ response: { status: string; location: string } }>; issue?: Array<{ diagnostics: string }> };

  it('stores a report bundle, reads it back, fails on demand once, and refuses an invalid bundle with an OperationOutcome', async () => {
    const bundle = reportBundle(document(), NOW);
    const report = reportOf(bundle);
    assert.ok(report);
    const first = await post(bundle);
    assert.equal(first.status, 200);
    const answer = await json(first);
    assert.deepEqual(fhirSchemaErrors(answer), []);
    assert.deepEqual(answer.entry?.map((e) => e.response.status), bundle.entry.map(() => '201 Created'));
    assert.equal(answer.entry?.at(-1)?.response.location, `DiagnosticReport/${report.id}/_history/1`);
    const read = await fetch(`${server.url}/DiagnosticReport/${report.id}`);
    const stored = (await read.json()) as FhirDiagnosticReport & { meta: { versionId: string } };
    assert.deepEqual({ ...stored, meta: undefined }, { ...report, meta: undefined });
    assert.equal(stored.meta.versionId, '1');
    assert.deepEqual(server.resources.get(`DiagnosticReport/${report.id}`), stored);

    const again = await json(await post(bundle));
    assert.deepEqual(answer.entry?.length, again.entry?.length);
    assert.ok(again.entry?.every((e) => e.response.status === '200 OK' && e.response.location.endsWith('/_history/1')), 'the same bundle again changes nothing');

    server.respondNext(503);
    const revised = reportBundle({ ...document(2), findings: [haemorrhage, absentPneumothorax] }, NOW);
    const versionOfReport = () => server.resources.get(`DiagnosticReport/${reportOf(revised)?.id ?? ''}`)?.meta.versionId;
    const failed = await post(revised);
    assert.deepEqual([failed.status, (await json(failed)).resourceType], [503, 'OperationOutcome']);
    assert.equal(versionOfReport(), '1', 'a failed POST stores nothing');
    assert.equal((await post(revised)).status, 200);
    assert.equal(versionOfReport(), '2', 'the revision updates the same report');

    const size = server.resources.size;
    const invalid = { ...revised, id: 'invalid-1', entry: [...revised.entry, { resource: { resourceType: 'Observation', id: 'x1', status: 'bogus', code: { text: 'x' } }, request: { method: 'PUT', url: 'Observation/x1' } }] };
    const refused = await post(invalid);
    const outcome = await json(refused);
    assert.deepEqual([refused.status, outcome.resourceType], [400, 'OperationOutcome']);
    assert.ok(outcome.issue?.some((i) => i.diagnostics.startsWith(`Bundle.entry[${revised.entry.length}].resource.status`)), JSON.stringify(outcome.issue));
    assert.deepEqual(fhirSchemaErrors(outcome), []);
    assert.equal(server.resources.size, size, 'nothing of a refused transaction is stored');
    assert.deepEqual(server.requests.map((r) => r.status), [200, 200, 503, 200, 400]);
    assert.ok(server.requests.every((r) => r.headers['content-type'] === 'application/fhir+json'));
  });
});
