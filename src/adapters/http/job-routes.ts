import type { FastifyInstance } from 'fastify';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import { retryDeadLetter } from '../../jobs/dead-letters.js';
import type { Database } from '../../store/database.js';
import { getJob, listJobRecords, type JobFilter } from '../../store/job-records.js';
import type { JobsTable } from '../../store/schema.js';
import { reasonOf } from './reason-body.js';
import { refuseUnparsableBody, sendError } from './send-error.js';

const STATUSES: ReadonlyArray<JobsTable['status']> = ['pending', 'running', 'done', 'failed'];
const KIND = /^[a-z][a-z0-9.-]{0,63}$/;
const MAX_LIMIT = 1000;

export interface JobRoutesDeps {
  database: Database;
  now: () => number;
}

function jobIdOf(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new RadbridgeError('BAD_REQUEST', `job id must be a positive integer, not ${JSON.stringify(raw.slice(0, 40))}`);
  return Number(raw);
}

/** ?status=failed&kind=study.pull&limit=50, each optional; anything else is refused, not ignored. */
function filterOf(query: Record<string, unknown>): JobFilter {
  const unknown = Object.keys(query).filter((k) => !['status', 'kind', 'limit'].includes(k));
  if (unknown.length > 0) throw new RadbridgeError('BAD_REQUEST', `unknown query parameter(s) ${unknown.join(', ')}: use status, kind and limit`);
  const { status, kind, limit } = query;
  if (status !== undefined && !STATUSES.includes(status as JobsTable['status'])) {
    throw new RadbridgeError('BAD_REQUEST', `status must be one of ${STATUSES.join(', ')}`);
  }
  if (kind !== undefined && (typeof kind !== 'string' || !KIND.test(kind))) throw new RadbridgeError('BAD_REQUEST', 'kind must be a job kind such as study.pull');
  if (limit !== undefined && (typeof limit !== 'string' || !/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT)) {
    throw new RadbridgeError('BAD_REQUEST', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return { status: status as JobsTable['status'] | undefined, kind, limit: limit === undefined ? 100 : Number(limit) };
}

/**
 * Jobs: GET /api/jobs (newest first; ?status=failed is the dead-letter list with each reason),
 * GET /api/jobs/{id}, and POST /api/jobs/{id}/retry to queue a dead-lettered job again.
 */
export function registerJobRoutes(app: FastifyInstance, deps: JobRoutesDeps): void {
  app.get<{ Querystring: Record<string, unknown> }>('/api/jobs', async (req, reply) => {
    try {
      return await reply.send({ jobs: await listJobRecords(deps.database.db, filterOf(req.query)) });
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
  app.get<{ Params: { id: string } }>('/api/jobs/:id', async (req, reply) => {
    try {
      const id = jobIdOf(req.params.id);
      const job = await getJob(deps.database.db, id);
      if (!job) throw new RadbridgeError('NOT_FOUND', `no job ${id}`);
      return await reply.send(job);
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
  app.post<{ Params: { id: string } }>('/api/jobs/:id/retry', { errorHandler: refuseUnparsableBody }, async (req, reply) => {
    try {
      const id = jobIdOf(req.params.id);
      const job = await retryDeadLetter(deps, id, { actor: req.ip, source: req.ip, reason: reasonOf(req.body) });
      return await reply.code(202).send(job);
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
}
