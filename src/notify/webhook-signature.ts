import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Signing for alert webhooks (docs/adr/0023-alerts-fhir-webhooks.md), by the Standard Webhooks
 * specification (https://www.standardwebhooks.com): the `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` headers made with the reference library, the token a receiving system sends
 * back to acknowledge an alert, and the check that refuses an unusable secret at configuration
 * time. A secret is `whsec_` and the standard base64 of 24 to 64 random bytes. Pure.
 */

const PREFIX = 'whsec_';
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Why `secret` is not a usable Standard Webhooks secret, or undefined when it is. Only canonical,
 * padded standard base64 passes, so that every decoder (the library's, node's) reads the same key.
 */
export function secretProblem(secret: string): string | undefined {
  const text = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (text === '') return 'the webhook secret is empty';
  if (!BASE64.test(text) || Buffer.from(text, 'base64').toString('base64') !== text) {
    return `the webhook secret is not ${PREFIX} followed by standard base64 (A-Z a-z 0-9 + /, padded with =)`;
  }
  const bytes = Buffer.from(text, 'base64').length;
  if (bytes < MIN_KEY_BYTES) return `the webhook secret holds ${bytes} bytes, fewer than ${MIN_KEY_BYTES}`;
  if (bytes > MAX_KEY_BYTES) return `the webhook secret holds ${bytes} bytes, more than ${MAX_KEY_BYTES}`;
  return undefined;
}

/** The key bytes the Standard Webhooks library signs with; throws for a secret `secretProblem` refuses. */
function keyOf(secret: string): Buffer {
  const problem = secretProblem(secret);
  if (problem !== undefined) throw new Error(problem);
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

/**
 * The headers of one webhook request: the three Standard Webhooks headers, `body` signed with
 * `secret` for message `messageId` sent `at` (ms since the epoch, written in Unix seconds), and the
 * content type. A retry of the same message keeps its id; the timestamp is the attempt's.
 */
export function webhookHeaders(secret: string, messageId: string, at: number, body: string): Record<string, string> {
  keyOf(secret);
  if (!/^[\x21-\x7e]+$/.test(messageId)) throw new Error(`a webhook message id is printable ASCII without spaces, not ${JSON.stringify(messageId)}`);
  if (!Number.isFinite(at)) throw new Error(`a webhook timestamp is a number of ms since the epoch, not ${at}`);
  const when = new Date(at);
  return {
    'content-type': 'application/json',
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at / 1000)),
    'webhook-signature': new Webhook(secret).sign(messageId, when, body),
  };
}

/**
 * The token that acknowledges alert `alertId`: HMAC-SHA256 with the webhook key over
 * `acknowledge/<alertId>`, in base64url. It is sent inside the signed body and comes back with
 * the acknowledgement, which proves the acknowledging system received the alert.
 */
export function acknowledgeToken(secret: string, alertId: string): string {
  return createHmac('sha256', keyOf(secret)).update(`acknowledge/${alertId}`, 'utf8').digest('base64url');
}

/** Whether `token` acknowledges alert `alertId` under `secret`, compared in constant time; false for anything else. */
export function isAcknowledgeToken(secret: string, alertId: string, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const expected = Buffer.from(acknowledgeToken(secret, alertId), 'utf8');
  const given = Buffer.from(token, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
