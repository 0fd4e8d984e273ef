import type { FastifyRequest } from 'fastify';
import type { RadbridgeError } from '../../domain/errors.js';
import { recordAudit, type AuditEventType } from '../../store/audit-log.js';
import type { Database } from '../../store/database.js';

export interface ReadAccess {
  type: Extract<AuditEventType, 'instances.retrieved' | 'instances.queried'>;
  studyUid: string | undefined;
  /** How many instances the response describes or carries. */
  instances: number;
  /** Set when the request failed. */
  error?: RadbridgeError;
  detail?: Record<string, unknown>;
}

/** One audit event per DICOMweb read. There is no authentication yet, so the actor is 'anonymous'. */
export async function auditRead(database: Database, req: FastifyRequest, access: ReadAccess, now: number): Promise<void> {
  await recordAudit(
    database,
    {
      type: access.type,
      outcome: access.error ? 'minor-failure' : 'success',
      actor: 'anonymous',
      source: req.ip,
      studyUid: access.studyUid,
      detail: { path: req.url, instances: access.instances, ...access.detail, ...(access.error ? { error: access.error.code } : {}) },
    },
    now,
  );
}
