import type { AlertNotice } from '../domain/alert.js';
import { fhirIdOf, fhirInstant, fhirText, imagingStudyReference, patientReference } from './fhir-coding.js';
import type { FhirBundle, FhirCommunication } from './fhir-types.js';

/**
 * One step of an alert to one recipient as a FHIR R4 transaction Bundle holding one Communication
 * (category alert, priority stat for a critical alert and urgent for an urgent one), about the
 * study's ImagingStudy and its patient by identifier, saying the level, each reason on its own
 * line and the accession number. The Communication's id derives from the alert, the step and the
 * recipient, and it is a PUT: the same step sent again to the same recipient changes nothing,
 * the next step or another recipient is another Communication. Pure.
 */

/** The system of the Communication's identifier: the alert's opaque id. */
export const ALERT_IDENTIFIER_SYSTEM = 'urn:radbridge:alert';

const ALERT_CATEGORY = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/communication-category', code: 'alert', display: 'Alert' }] };

/** What the recipient reads: the level, one reason a line, the trauma activation and the accession number when the study has them. */
export function alertText(notice: AlertNotice): string {
  const reasons = notice.reasons.map((r) => fhirText(r)).filter((r) => r !== undefined);
  const accession = fhirText(notice.study.AccessionNumber);
  const activation = fhirText(notice.traumaActivation);
  return [
    `${notice.level.toUpperCase()} finding by AI (preliminary), escalation step ${notice.step + 1}`,
    ...(reasons.length > 0 ? reasons : ['no reason given']),
    ...(activation ? [`Trauma activation: ${activation}`] : []),
    ...(accession ? [`Accession number: ${accession}`] : []),
  ].join('\n');
}

/** The transaction Bundle of `notice` to `recipient` (a reference such as `Practitioner/123`), sent at `now` (ms since the epoch). */
export function communicationBundle(notice: AlertNotice, recipient: string, now: number): FhirBundle {
  const to = fhirText(recipient);
  if (!to) throw new Error(`alert ${notice.alertId}: the FHIR recipient is empty`);
  const key = `${notice.alertId}|${notice.step}|${to}`;
  const subject = patientReference(notice.study);
  const study = imagingStudyReference(notice.study);
  const communication: FhirCommunication = {
    resourceType: 'Communication',
    id: fhirIdOf(`${key}|Communication`),
    identifier: [{ system: ALERT_IDENTIFIER_SYSTEM, value: notice.alertId }],
    status: 'in-progress',
    category: [ALERT_CATEGORY],
    priority: notice.level === 'critical' ? 'stat' : 'urgent',
    ...(subject ? { subject } : {}),
    ...(study ? { about: [study] } : {}),
    sent: fhirInstant(now),
    recipient: [{ reference: to }],
    payload: [{ contentString: alertText(notice) }],
  };
  return {
    resourceType: 'Bundle',
    id: fhirIdOf(`${key}|Bundle`),
    type: 'transaction',
    timestamp: fhirInstant(now),
    entry: [{ resource: communication, request: { method: 'PUT', url: `Communication/${communication.id}` } }],
  };
}
