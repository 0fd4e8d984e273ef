import type { AlertNotice } from '../domain/alert.js';

/**
 * The JSON body of an alert webhook (docs/adr/0023-alerts-fhir-webhooks.md). By default it is
 * the hub's own shape: PHI-minimal (the alert, its reasons and how to acknowledge it, nothing
 * that identifies the patient or the study) unless the endpoint is allowed `full` patient and study
 * data. A site whose secure messaging platform expects another shape gives a template: any JSON
 * value whose strings name values in double braces (`{{patientName}}`). Substitution happens inside
 * the parsed strings, so no value can change the structure, and object keys are never templated.
 * On a PHI-minimal endpoint patient placeholders render empty even if configuration let one through.
 * Pure.
 */

export type PhiPolicy = 'minimal' | 'full';

/** Values every endpoint may receive. */
export const ALERT_PLACEHOLDERS = ['alertId', 'level', 'step', 'reasons', 'traumaActivation', 'createdAt', 'acknowledgeUrl', 'acknowledgeToken'] as const;
/** Values that identify the patient or the study: only for `full` endpoints. */
export const PHI_PLACEHOLDERS = ['patientId', 'patientName', 'accessionNumber', 'studyInstanceUid', 'studyDate'] as const;
export type WebhookPlaceholder = (typeof ALERT_PLACEHOLDERS)[number] | (typeof PHI_PLACEHOLDERS)[number];

export interface WebhookEndpointShape {
  phi: PhiPolicy;
  /** A JSON value to fill in; absent, the default body. */
  template?: unknown;
}

export interface AcknowledgeLink {
  url: string;
  token: string;
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const isAlertPlaceholder = (name: string): boolean => (ALERT_PLACEHOLDERS as readonly string[]).includes(name);
const isPhiPlaceholder = (name: string): boolean => (PHI_PLACEHOLDERS as readonly string[]).includes(name);

/** Without DICOM padding (spaces, and NULs after UIDs) at either end; anything else in a value is kept as it is. */
const unpadded = (text: string): string => text.replace(/^[ \0]+|[ \0]+$/g, '');

const present = (text: string | undefined): string | undefined => (text === undefined || unpadded(text) === '' ? undefined : unpadded(text));

/** A DICOM person name `Family^Given^Middle^Prefix^Suffix` (alphabetic group) as `Prefix Given Middle Family Suffix`. */
function displayName(pn: string | undefined): string | undefined {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = (pn ?? '').split('=')[0]?.split('^') ?? [];
  const name = [prefix, given, middle, family, suffix].map(unpadded).filter((p) => p !== '').join(' ');
  return name === '' ? undefined : name;
}

/** A DICOM date YYYYMMDD as YYYY-MM-DD; anything else as it is. */
function displayDate(da: string | undefined): string | undefined {
  const text = present(da);
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text ?? '');
  return m ? `${m[1]}-${m[2]}-${m[3]}` : text;
}

/** The patient and study values of a notice, absent ones undefined. */
function phiValues(notice: AlertNotice): Record<(typeof PHI_PLACEHOLDERS)[number], string | undefined> {
  const s = notice.study;
  return {
    patientId: present(s.PatientID),
    patientName: displayName(s.PatientName),
    accessionNumber: present(s.AccessionNumber),
    studyInstanceUid: present(s.StudyInstanceUID),
    studyDate: displayDate(s.StudyDate),
  };
}

/** Drops the undefined entries, so absent values are left out of the JSON rather than written null. */
function defined(entries: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The text of each placeholder for a notice; the patient ones empty unless `phi` is `full`. */
function placeholderValues(notice: AlertNotice, phi: PhiPolicy, acknowledge: AcknowledgeLink): Record<WebhookPlaceholder, string> {
  const patient = phiValues(notice);
  return {
    alertId: notice.alertId,
    level: notice.level,
    step: String(notice.step),
    reasons: notice.reasons.join('; '),
    traumaActivation: notice.traumaActivation ?? '',
    createdAt: new Date(notice.createdAt).toISOString(),
    acknowledgeUrl: acknowledge.url,
    acknowledgeToken: acknowledge.token,
    patientId: phi === 'full' ? (patient.patientId ?? '') : '',
    patientName: phi === 'full' ? (patient.patientName ?? '') : '',
    accessionNumber: phi === 'full' ? (patient.accessionNumber ?? '') : '',
    studyInstanceUid: phi === 'full' ? (patient.studyInstanceUid ?? '') : '',
    studyDate: phi === 'full' ? (patient.studyDate ?? '') : '',
  };
}

/** The JSON path of member `key` of the value at `path`: `$.blocks[0].text`, `$["odd key"]`. */
const childPath = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/** Copies a JSON value with `visit` applied to each string; keys are copied as they are. */
function mapStrings(value: unknown, visit: (text: string) => string): unknown {
  if (typeof value === 'string') return visit(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, visit));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, visit)]));
  return value;
}

/** The body to send for `notice` to an endpoint: its template filled in, or the default body for its PHI policy. */
export function webhookPayload(notice: AlertNotice, endpoint: WebhookEndpointShape, acknowledge: AcknowledgeLink): unknown {
  if (endpoint.template !== undefined) {
    const values = placeholderValues(notice, endpoint.phi, acknowledge);
    // One pass over the template text: a value that itself holds `{{...}}` is not expanded again.
    const valueOf = (name: string): string => (Object.hasOwn(values, name) ? values[name as WebhookPlaceholder] : '');
    return mapStrings(endpoint.template, (text) => text.replace(PLACEHOLDER, (_m, name: string) => valueOf(name.trim())));
  }
  const body = {
    type: 'radbridge.alert',
    alertId: notice.alertId,
    level: notice.level,
    step: notice.step,
    reasons: [...notice.reasons],
    ...(notice.traumaActivation ? { traumaActivation: notice.traumaActivation } : {}),
    createdAt: new Date(notice.createdAt).toISOString(),
    acknowledge: { url: acknowledge.url, token: acknowledge.token },
  };
  if (endpoint.phi !== 'full') return body;
  const p = phiValues(notice);
  return {
    ...body,
    patient: defined({ id: p.patientId, name: p.patientName }),
    study: defined({ accessionNumber: p.accessionNumber, studyInstanceUid: p.studyInstanceUid, studyDate: p.studyDate, description: present(notice.study.StudyDescription) }),
  };
}

/** What is wrong with a template for an endpoint: unknown placeholders, patient ones on a PHI-minimal endpoint, values that are not JSON. */
export function templateProblems(template: unknown, phi: PhiPolicy): string[] {
  const problems: string[] = [];
  const checkText = (text: string, path: string): void => {
    for (const [placeholder, raw = ''] of text.matchAll(PLACEHOLDER)) {
      const name = raw.trim();
      if (isPhiPlaceholder(name)) {
        if (phi === 'minimal') problems.push(`${path}: ${placeholder} is patient data, and this endpoint is PHI-minimal`);
      } else if (!isAlertPlaceholder(name)) {
        problems.push(`${path}: ${placeholder} is not a known placeholder (known: ${[...ALERT_PLACEHOLDERS, ...PHI_PLACEHOLDERS].join(', ')})`);
      }
    }
  };
  const check = (value: unknown, path: string): void => {
    if (typeof value === 'string') checkText(value, path);
    else if (Array.isArray(value)) value.forEach((item, i) => check(item, childPath(path, i)));
    else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) check(item, childPath(path, key));
    else if (!(value === null || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) problems.push(`${path}: not a JSON value (${typeof value})`);
  };
  check(template, '$');
  return problems;
}
