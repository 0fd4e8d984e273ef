import { createHash } from 'node:crypto';
import type { AlertContact } from '../config/notify-schema.js';
import type { Config } from '../config/schema.js';
import type { AlertNotice } from '../domain/alert.js';
import type { OutboxMessage } from '../store/message-outbox.js';
import { communicationBundle } from './fhir-communication.js';
import type { NotifySecrets } from './notify-secrets.js';
import { webhookPayload } from './webhook-payload.js';
import { acknowledgeToken } from './webhook-signature.js';

/**
 * The outbox messages of one alert step, one per contact: a signed webhook (with the URL and token
 * its receiver acknowledges with) or a FHIR Communication to the named recipient. Each is keyed by
 * alert, step and contact, so a step queued twice sends nothing new. Pure.
 */

export interface AlertMessageDeps {
  config: Pick<Config, 'webhooks' | 'http'>;
  secrets: NotifySecrets;
}

/** Where a receiving system acknowledges an alert: absolute when http.publicBaseUrl is set, else the path on the hub. */
export const acknowledgeUrlOf = (config: Pick<Config, 'http'>, alertId: string): string =>
  `${(config.http.publicBaseUrl ?? '').replace(/\/+$/, '')}/api/alerts/${alertId}/acknowledgement`;

/** A Standard Webhooks message id: stable per endpoint and logical message. */
const webhookIdOf = (destination: string, messageKey: string): string => `msg_${createHash('sha256').update(`${destination}/${messageKey}`).digest('hex').slice(0, 32)}`;

function contactMessage(deps: AlertMessageDeps, notice: AlertNotice, studyUid: string, contact: AlertContact, now: number): OutboxMessage {
  const base = { studyUid, alertId: notice.alertId };
  if ('fhir' in contact) {
    const bundle = communicationBundle(notice, contact.recipient, now);
    return { ...base, channel: 'fhir', destination: contact.fhir, messageKey: `alert/${notice.alertId}/${notice.step}/${contact.recipient}`, controlId: bundle.id, body: JSON.stringify(bundle) };
  }
  const endpoint = deps.config.webhooks.endpoints[contact.webhook];
  const secret = deps.secrets.webhooks.get(contact.webhook);
  if (!endpoint || !secret) throw new Error(`webhook endpoint "${contact.webhook}" is not configured (webhooks.endpoints)`);
  const messageKey = `alert/${notice.alertId}/${notice.step}`;
  const payload = webhookPayload(notice, endpoint, { url: acknowledgeUrlOf(deps.config, notice.alertId), token: acknowledgeToken(secret, notice.alertId) });
  return { ...base, channel: 'webhook', destination: contact.webhook, messageKey, controlId: webhookIdOf(contact.webhook, messageKey), body: JSON.stringify(payload) };
}

export function alertMessages(deps: AlertMessageDeps, notice: AlertNotice, studyUid: string, contacts: readonly AlertContact[], now: number): OutboxMessage[] {
  return contacts.map((contact) => contactMessage(deps, notice, studyUid, contact, now));
}
