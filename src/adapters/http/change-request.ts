import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { RadbridgeError } from '../../domain/errors.js';
import { issuePath } from '../../route/rules-validation.js';
import { recordAudit, type AuditEventType } from '../../store/audit-log.js';
import type { Database } from '../../store/database.js';

/** Reading the body of a configuration change: a reason is required, every problem is named with its path, and a refusal is audited. */

const MAX_REASON_LENGTH = 1024;

export function requiredReason(body: unknown): string {
  const reason = typeof body === 'object' && body !== null ? (body as { reason?: unknown }).reason : undefined;
  if (typeof reason !== 'string' || reason.trim() === '') throw new RadbridgeError('REASON_REQUIRED', 'the body needs a non-empty "reason": why this change is made');
  if (reason.length > MAX_REASON_LENGTH) throw new RadbridgeError('BAD_REQUEST', `reason has at most ${MAX_REASON_LENGTH} characters`);
  return reason.trim();
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${issuePath(i.path)}: ${i.message}`);
  throw new RadbridgeError('BAD_REQUEST', `the request body has ${issues.length} problem(s): ${issues.join('; ')}`, issues);
}

/** A refused configuration change is audited too: who tried, and why it was refused. */
export async function auditRefusedChange(
  database: Database,
  req: FastifyRequest,
  type: Extract<AuditEventType, 'config.rules-changed' | 'config.rollout-mode-changed'>,
  error: RadbridgeError,
  detail: Record<string, unknown>,
  now: number,
): Promise<void> {
  await recordAudit(
    database,
    { type, outcome: 'minor-failure', actor: req.ip, source: 'http', detail: { ...detail, error: error.code, message: error.message, issues: error.issues } },
    now,
  );
}
