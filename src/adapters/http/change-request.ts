import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { RadbridgeError } from '../../domain/errors.js';
import { issuePath } from '../../route/rules-validation.js';
import { recordAudit, type AuditEventType } from '../../store/audit-log.js';
import type { Database } from '../../store/database.js';

/** Reading the body of a configuration change: every problem is named with its path, and a refusal is audited (its reason: reason-body.ts). */

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
  type: Extract<AuditEventType, `config.${string}`>,
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
