import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RadbridgeError } from '../../domain/errors.js';

/** Every HTTP error body names its stable code and the problem, and lists every issue when there are several. */
export function sendError(reply: FastifyReply, error: RadbridgeError) {
  return reply
    .code(error.httpStatus)
    .type('application/json')
    .send({ error: error.code, message: error.message, ...(error.issues.length > 0 ? { issues: error.issues } : {}) });
}

/** A body fastify could not parse (bad JSON) gets the same error shape as every other refusal. */
export function refuseUnparsableBody(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  void sendError(reply, new RadbridgeError('BAD_REQUEST', err.message));
}
