import { RadbridgeError } from '../../domain/errors.js';

const MAX_REASON_LENGTH = 1024;

/** The optional body of a request that asks the hub to act is { "reason"?: string }. */
export function reasonOf(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) throw new RadbridgeError('BAD_REQUEST', 'the body must be a JSON object such as { "reason": "..." }');
  const reason = (body as { reason?: unknown }).reason;
  if (reason === undefined) return undefined;
  if (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH) {
    throw new RadbridgeError('BAD_REQUEST', `reason must be a string of at most ${MAX_REASON_LENGTH} characters`);
  }
  return reason;
}

/** A configuration change names why it is made. */
export function requiredReason(body: unknown): string {
  const reason = typeof body === 'object' && body !== null ? (body as { reason?: unknown }).reason : undefined;
  if (typeof reason !== 'string' || reason.trim() === '') throw new RadbridgeError('REASON_REQUIRED', 'the body needs a non-empty "reason": why this change is made');
  if (reason.length > MAX_REASON_LENGTH) throw new RadbridgeError('BAD_REQUEST', `reason has at most ${MAX_REASON_LENGTH} characters`);
  return reason.trim();
}
