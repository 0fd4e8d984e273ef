import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config/schema.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { dropSchema, postgresDatabase, tempDir, testConfig } from './test-hub.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** A migrated index of its own, on the embedded SQLite or the machine's PostgreSQL. */
export interface TestDatabase {
  database: Database;
  /** What another process needs to open the same index. */
  config: Config['database'];
  dataDir: string;
  /** Closes the index and removes it (the SQLite file, the PostgreSQL schema). */
  remove(): Promise<void>;
}

export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const dataDir = tempDir('radbridge-jobs-');
  const overrides = kind === 'sqlite' ? { kind: 'sqlite', path: path.join(dataDir, 'index.sqlite') } : postgresDatabase();
  const config = testConfig(dataDir, { database: overrides }).database;
  const database = await openDatabase(config, dataDir);
  await migrate(database);
  return {
    database,
    config,
    dataDir,
    remove: async () => {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (config.kind === 'postgres') await dropSchema(config.url, config.schema);
    },
  };
}
