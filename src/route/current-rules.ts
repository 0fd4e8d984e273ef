import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { RadbridgeError } from '../domain/errors.js';
import type { Database } from '../store/database.js';
import { currentRulesVersion, storeRulesVersion } from '../store/rule-documents.js';
import type { DB } from '../store/schema.js';
import { EMPTY_RULES, type Rule, type RulesDocument } from './rule-schema.js';
import { validateRules } from './rules-validation.js';

/** The rules in force (the latest stored version) and changing them: validated, versioned, audited. */

export interface CurrentRules {
  /** 0 when no document was ever stored. */
  version: number;
  document: RulesDocument;
  sha256: string | undefined;
  changedBy?: string | undefined;
  reason?: string | undefined;
  changedAt?: number | undefined;
}

export async function currentRules(db: Kysely<DB>): Promise<CurrentRules> {
  const stored = await currentRulesVersion(db);
  if (!stored) return { version: 0, document: EMPTY_RULES, sha256: undefined };
  const checked = validateRules(JSON.parse(stored.document));
  if (!checked.ok) throw new RadbridgeError('RULES_INVALID', `stored rules version ${stored.version} no longer validates: ${checked.issues.join('; ')}`, checked.issues);
  return { version: stored.version, document: checked.document, sha256: stored.sha256, changedBy: stored.changedBy, reason: stored.reason, changedAt: stored.changedAt };
}

export interface RulesChangeSummary {
  added: string[];
  removed: string[];
  changed: string[];
}

export function summarizeChange(before: RulesDocument, after: RulesDocument): RulesChangeSummary {
  const byId = (d: RulesDocument) => new Map<string, Rule>(d.rules.map((r) => [r.id, r]));
  const old = byId(before);
  const next = byId(after);
  return {
    added: [...next.keys()].filter((id) => !old.has(id)),
    removed: [...old.keys()].filter((id) => !next.has(id)),
    changed: [...next.keys()].filter((id) => old.has(id) && JSON.stringify(old.get(id)) !== JSON.stringify(next.get(id))),
  };
}

export interface RulesChangeRequest {
  document: unknown;
  actor: string;
  source: string;
  reason: string;
  /** The configured destination names, which forward actions must name. */
  destinations: readonly string[];
}

export interface RulesChangeResult {
  version: number;
  sha256: string;
  /** False when the document equals the current one: no new version is stored. */
  changed: boolean;
  summary: RulesChangeSummary;
}

/** Validates a document and stores it as the next version with a config.rules-changed audit event; bad documents store nothing. */
export async function changeRules(database: Database, request: RulesChangeRequest, now: number): Promise<RulesChangeResult> {
  if (request.reason.trim() === '') throw new RadbridgeError('REASON_REQUIRED', 'a change of the routing rules needs a reason');
  const checked = validateRules(request.document, { destinations: request.destinations });
  if (!checked.ok) throw new RadbridgeError('RULES_INVALID', `the rules document has ${checked.issues.length} problem(s)`, checked.issues);
  const json = JSON.stringify(checked.document);
  const sha256 = createHash('sha256').update(json).digest('hex');
  const current = await currentRules(database.db);
  const summary = summarizeChange(current.document, checked.document);
  if (current.sha256 === sha256) return { version: current.version, sha256, changed: false, summary };
  const version = await storeRulesVersion(
    database,
    { document: json, sha256, actor: request.actor, source: request.source, reason: request.reason, summary: { previousVersion: current.version, ...summary } },
    now,
  );
  return { version, sha256, changed: true, summary };
}
