import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { rulesDocumentSchema, type RulesDocument } from './rule-schema.js';

/** Reading and validating a rules document: every problem at once, each with its path (rules[2].when.any[0].regex). */

export type RulesValidation = { ok: true; document: RulesDocument } | { ok: false; issues: string[] };

/** `rules[2].when.any[0].regex` from ['rules', 2, 'when', 'any', 0, 'regex']. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out === '' ? '(root)' : out;
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return [...new Set(issues.map((i) => `${issuePath(i.path)}: ${i.message}`))];
}

function duplicateIds(value: unknown): string[] {
  const rules = typeof value === 'object' && value !== null ? (value as { rules?: unknown }).rules : undefined;
  if (!Array.isArray(rules)) return [];
  const seen = new Set<string>();
  const issues: string[] = [];
  rules.forEach((rule: unknown, i) => {
    const id = typeof rule === 'object' && rule !== null ? (rule as { id?: unknown }).id : undefined;
    if (typeof id !== 'string') return;
    if (seen.has(id)) issues.push(`rules[${i}].id: rule id "${id}" is used twice`);
    seen.add(id);
  });
  return issues;
}

/** Forward actions naming a destination not in `known` (the configured ones). */
function unknownDestinations(value: unknown, known: readonly string[]): string[] {
  const rules = typeof value === 'object' && value !== null ? (value as { rules?: unknown }).rules : undefined;
  if (!Array.isArray(rules)) return [];
  const names = known.length === 0 ? 'none are configured' : `configured: ${known.join(', ')}`;
  return rules.flatMap((rule: unknown, i) => {
    const actions = typeof rule === 'object' && rule !== null ? (rule as { actions?: unknown }).actions : undefined;
    if (!Array.isArray(actions)) return [];
    return actions.flatMap((action: unknown, j) => {
      const forward = typeof action === 'object' && action !== null ? (action as { forward?: unknown }).forward : undefined;
      const destination = typeof forward === 'object' && forward !== null ? (forward as { destination?: unknown }).destination : undefined;
      if (typeof destination !== 'string' || known.includes(destination)) return [];
      return [`rules[${i}].actions[${j}].forward.destination: unknown destination "${destination}" (${names} in destinations)`];
    });
  });
}

export interface ValidationOptions {
  /** The configured destination names: forward actions must name one. Not checked when absent (offline checks, stored versions). */
  destinations?: readonly string[] | undefined;
}

export function validateRules(value: unknown, options: ValidationOptions = {}): RulesValidation {
  const parsed = rulesDocumentSchema.safeParse(value);
  const destinationIssues = options.destinations ? unknownDestinations(value, options.destinations) : [];
  const issues = [...(parsed.success ? [] : formatIssues(parsed.error.issues)), ...duplicateIds(value), ...destinationIssues];
  return parsed.success && issues.length === 0 ? { ok: true, document: parsed.data } : { ok: false, issues };
}

/** Parses YAML (JSON is YAML) and validates it; `source` names the text in messages. */
export function validateRulesText(text: string, source: string, options: ValidationOptions = {}): RulesValidation {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    return { ok: false, issues: [`${source}: ${(err as Error).message}`] };
  }
  return validateRules(value, options);
}

export async function readRulesFile(file: string, options: ValidationOptions = {}): Promise<RulesValidation> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, issues: [`${file}: ${(err as Error).message}`] };
  }
  return validateRulesText(text, file, options);
}
