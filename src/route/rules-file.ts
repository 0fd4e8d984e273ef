import { ConfigError } from '../config/load.js';
import type { Database } from '../store/database.js';
import { changeRules, type RulesChangeResult } from './current-rules.js';
import { readRulesFile } from './rules-validation.js';

/**
 * Loads `routing.rulesFile` at start: every problem is reported at once, a forward to a destination
 * not in `destinations` included (the hub does not start),
 * and a document that differs from the current version is stored as the next one, audited as
 * changed by the hub from that file.
 */
export async function installRulesFile(database: Database, file: string, destinations: readonly string[], now: number): Promise<RulesChangeResult> {
  const checked = await readRulesFile(file, { destinations });
  if (!checked.ok) throw new ConfigError(checked.issues.map((issue) => `routing.rulesFile ${file}: ${issue}`));
  return changeRules(database, { document: checked.document, actor: 'radbridge', source: `file ${file}`, reason: `loaded at start from ${file}`, destinations }, now);
}
