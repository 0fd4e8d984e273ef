import type { FastifyReply } from 'fastify';
import type { RadbridgeError } from '../../domain/errors.js';

/** Every HTTP error body names its stable code and the problem. */
export function sendError(reply: FastifyReply, error: RadbridgeError) {
  return reply.code(error.httpStatus).type('application/json').send({ error: error.code, message: error.message });
}
