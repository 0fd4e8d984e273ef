import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

const ENV_PREFIX = 'RADBRIDGE_';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Tree = { [key: string]: unknown };

/** RADBRIDGE_DICOM__PORT=104 becomes { dicom: { port: '104' } }; lists are comma separated. */
export function envToTree(env: NodeJS.ProcessEnv): Tree {
  const tree: Tree = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || name === `${ENV_PREFIX}CONFIG` || value === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).split('__').map(camelCase);
    let node = tree;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = (typeof next === 'object' && next !== null ? next : (node[key] = {})) as Tree;
    }
    const leaf = path[path.length - 1] as string;
    node[leaf] = /^(allowedCallingAeTitles)$/.test(leaf) ? value.split(',').filter(Boolean) : value;
  }
  return tree;
}

function camelCase(s: string): string {
  return s.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      typeof v === 'object' && v !== null && !Array.isArray(v) && typeof b === 'object' && b !== null && !Array.isArray(b)
        ? merge(b as Tree, v as Tree)
        : v;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Rules that span several fields: the service never listens beyond loopback without a way to tell callers apart. */
function crossFieldProblems(c: Config): string[] {
  const problems: string[] = [];
  if (!isLoopback(c.http.host)) {
    problems.push('http.host: listening beyond loopback needs authentication, which this version does not provide');
  }
  if (!isLoopback(c.dicom.host) && c.dicom.allowedCallingAeTitles.length === 0) {
    problems.push('dicom.allowedCallingAeTitles: required when dicom.host is not a loopback address');
  }
  return problems;
}

/** Builds the configuration from an optional file (YAML or JSON) overlaid by environment variables. */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Tree } = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env[`${ENV_PREFIX}CONFIG`];
  let fromFile: Tree = {};
  if (file) {
    try {
      fromFile = (parseYaml(readFileSync(file, 'utf8')) as Tree | null) ?? {};
    } catch (err) {
      throw new ConfigError([`${file}: ${(err as Error).message}`]);
    }
  }
  const raw = merge(merge(fromFile, envToTree(env)), opts.overrides ?? {});
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues));
  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(parsed.data);
}
