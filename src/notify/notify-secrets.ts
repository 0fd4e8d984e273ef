import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { secretProblem } from './webhook-signature.js';

/**
 * The secrets the configuration names by file (webhook signing secrets, FHIR bearer tokens), read
 * once at start so that a missing or unusable one stops the hub with every problem listed, rather
 * than failing the first critical alert.
 */
export interface NotifySecrets {
  /** Per webhook endpoint: its Standard Webhooks secret. */
  webhooks: ReadonlyMap<string, string>;
  /** Per FHIR server: its bearer token, when it has one. */
  fhirTokens: ReadonlyMap<string, string>;
}

async function readSecret(setting: string, file: string, problems: string[]): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (text) return text;
    problems.push(`${setting} ${file}: the file is empty`);
  } catch (err) {
    problems.push(`${setting} ${file}: cannot be read: ${(err as Error).message}`);
  }
  return undefined;
}

export async function loadNotifySecrets(config: Pick<Config, 'webhooks' | 'fhir'>): Promise<NotifySecrets> {
  const problems: string[] = [];
  const webhooks = new Map<string, string>();
  for (const [name, endpoint] of Object.entries(config.webhooks.endpoints)) {
    const setting = `webhooks.endpoints.${name}.secretFile`;
    const secret = await readSecret(setting, endpoint.secretFile, problems);
    const problem = secret === undefined ? undefined : secretProblem(secret);
    if (problem) problems.push(`${setting} ${endpoint.secretFile}: ${problem}`);
    else if (secret !== undefined) webhooks.set(name, secret);
  }
  const fhirTokens = new Map<string, string>();
  for (const [name, server] of Object.entries(config.fhir.servers)) {
    if (!server.bearerTokenFile) continue;
    const token = await readSecret(`fhir.servers.${name}.bearerTokenFile`, server.bearerTokenFile, problems);
    if (token !== undefined) fhirTokens.set(name, token);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { webhooks, fhirTokens };
}
