import { RadbridgeError } from '../domain/errors.js';
import { registerAnalyzerVersion, type AnalyzerVersion } from '../store/analyzer-registry.js';
import type { Database } from '../store/database.js';
import { describeAnalyzer } from './analyzer-thread.js';
import type { AnalyzerModule } from './analyzer.js';

const DESCRIBE_TIMEOUT_MS = 60_000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

export interface Registrant {
  actor: string;
  source: string;
  reason: string;
}

/**
 * Loads an analyzer module in a worker thread, reads how it describes itself and registers that
 * version (pending approval). A module that cannot be loaded or describes itself badly is refused.
 */
export async function registerAnalyzerModule(database: Database, module: AnalyzerModule, who: Registrant, now: number): Promise<{ registered: boolean; version: AnalyzerVersion }> {
  let description;
  try {
    description = await describeAnalyzer(module, AbortSignal.timeout(DESCRIBE_TIMEOUT_MS));
  } catch (err) {
    throw new RadbridgeError('ANALYZER_UNLOADABLE', `${module.url} cannot be loaded: ${err instanceof Error ? err.message : String(err)}`);
  }
  const problems = [
    ...(NAME.test(description.id) ? [] : [`id ${JSON.stringify(description.id)} is not letters, digits, dot, dash, underscore or @`]),
    ...(NAME.test(description.version) ? [] : [`version ${JSON.stringify(description.version)} is not letters, digits, dot, dash, underscore or @`]),
    ...(description.intendedUse.trim() ? [] : ['it states no intended use']),
    ...(description.inputs.modalities.length > 0 ? [] : ['it names no input modality']),
  ];
  if (problems.length > 0) throw new RadbridgeError('ANALYZER_UNLOADABLE', `${module.url} describes itself badly: ${problems.join('; ')}`, problems);
  return registerAnalyzerVersion(database, { module, description, ...who }, now);
}
