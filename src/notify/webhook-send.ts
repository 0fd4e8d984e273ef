import type { Config } from '../config/schema.js';
import { PermanentJobError } from '../jobs/job-engine.js';
import type { MessageEntry } from '../store/message-outbox.js';
import type { Delivery } from './delivery.js';
import { postMessage } from './http-post.js';
import type { NotifySecrets } from './notify-secrets.js';
import { webhookHeaders } from './webhook-signature.js';

/**
 * One webhook of the outbox to its endpoint, signed per Standard Webhooks: the body and webhook-id
 * are the same on every try (the receiver knows a repeat by the id); the timestamp and signature
 * are made at each try, so a receiver's replay window holds for retries too.
 */
export async function sendWebhook(config: Pick<Config, 'webhooks'>, secrets: NotifySecrets, entry: MessageEntry, now: number, signal: AbortSignal): Promise<Delivery> {
  const endpoint = config.webhooks.endpoints[entry.destination];
  const secret = secrets.webhooks.get(entry.destination);
  if (!endpoint || !secret) throw new PermanentJobError(`webhook endpoint "${entry.destination}" is not configured (webhooks.endpoints)`);
  const answer = await postMessage(endpoint.url, webhookHeaders(secret, entry.controlId, now, entry.body), entry.body, endpoint.timeoutMs, signal);
  return { sentTo: new URL(endpoint.url).origin, reply: `${answer.status} ${answer.text.slice(0, 1000)}`.trim(), detail: { status: answer.status } };
}
