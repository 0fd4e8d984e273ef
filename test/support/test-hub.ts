import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { AppDeps } from '../../src/app.js';
import { startHub, type RunningHub } from '../../src/hub.js';

export type Overrides = Record<string, unknown>;

export interface TestHub extends RunningHub {
  dataDir: string;
  config: Config;
  url: string;
  /** Stops the hub; the data folder stays for a restart. */
  stopKeepingData(): Promise<void>;
}

export function tempDir(prefix = 'radbridge-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The PostgreSQL the machine runs; each call gets a schema of its own. */
export function postgresDatabase(): Overrides {
  const url = process.env.RADBRIDGE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  return { kind: 'postgres', url, schema: `t_${process.pid}_${Math.floor(Math.random() * 1e9)}` };
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export function testConfig(dataDir: string, overrides: Overrides = {}): Config {
  return loadConfig({
    env: {},
    overrides: {
      dataDir,
      dicom: { port: 0 },
      http: { port: 0 },
      storage: { minFreeBytes: 1 },
      log: { level: process.env.RADBRIDGE_TEST_LOG ?? 'silent' },
      ...overrides,
      ...(overrides.dicom ? { dicom: { port: 0, ...(overrides.dicom as Overrides) } } : {}),
      ...(overrides.http ? { http: { port: 0, ...(overrides.http as Overrides) } } : {}),
      ...(overrides.storage ? { storage: { minFreeBytes: 1, ...(overrides.storage as Overrides) } } : {}),
    },
  });
}

/** `deps` beside the log: a clock of the test's own (`now`), analyzer modules. */
export async function startTestHub(overrides: Overrides = {}, dataDir = tempDir(), deps: Omit<AppDeps, 'log'> = {}): Promise<TestHub> {
  const config = testConfig(dataDir, overrides);
  const hub = await startHub(config, { ...deps, log: pino({ level: config.log.level }) });
  return {
    ...hub,
    dataDir,
    config,
    url: `http://127.0.0.1:${hub.httpPort}`,
    stopKeepingData: () => hub.stop(),
    stop: async () => {
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (config.database.kind === 'postgres') await dropSchema(config.database.url, config.database.schema);
    },
  };
}
