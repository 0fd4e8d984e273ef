import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../config/load.js';
import { aisMappingSchema, type AisMapping } from '../domain/ais-mapping.js';
import { defaultCriticalityTable } from '../domain/criticality-defaults.js';
import { criticalityTableSchema, type CriticalityTable } from '../domain/criticality-table.js';
import { issuePath } from '../route/rules-validation.js';

/**
 * Reads the criticality table and the AIS mapping named in the configuration (triage.criticalityFile,
 * triage.aisMappingFile) at start: every problem is reported at once with its path and the hub does
 * not start. Without a criticality file the default table applies; without a mapping no AIS is mapped.
 */

export interface TriageTables {
  criticality: CriticalityTable;
  aisMapping?: AisMapping;
}

async function readValidated<T>(setting: string, file: string, schema: z.ZodType<T>): Promise<T> {
  let value: unknown;
  try {
    value = parseYaml(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${setting} ${file}: cannot be read as YAML or JSON: ${(err as Error).message}`]);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${setting} ${file}: ${issuePath(i.path)}: ${i.message}`));
  return parsed.data;
}

export async function loadTriageTables(files: { criticalityFile?: string | undefined; aisMappingFile?: string | undefined }): Promise<TriageTables> {
  const criticality = files.criticalityFile ? await readValidated('triage.criticalityFile', files.criticalityFile, criticalityTableSchema) : defaultCriticalityTable;
  const aisMapping = files.aisMappingFile ? await readValidated('triage.aisMappingFile', files.aisMappingFile, aisMappingSchema) : undefined;
  return { criticality, ...(aisMapping ? { aisMapping } : {}) };
}
