import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RadbridgeError } from '../../domain/errors.js';
import { sendError } from './send-error.js';

const MAX_REASON_LENGTH = 1024;

/** A body fastify could not parse (bad JSON) gets the same error shape as every other refusal. */
export function badBody(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  void sendError(reply, new RadbridgeError('BAD_REQUEST', err.message));
}

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
