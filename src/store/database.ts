import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type ColumnDefinitionBuilder, type SelectQueryBuilder, type Transaction } from 'kysely';
import pg from 'pg';
import type { Config } from '../config/schema.js';
import type { DB } from './schema.js';

/** The only file that knows SQLite from PostgreSQL. */

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** The PostgreSQL schema the index lives in; undefined for SQLite. */
  schema: string | undefined;
  /** An integer primary key that the database assigns. */
  autoId: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  /** SQL that makes a table refuse UPDATE and DELETE. */
  appendOnlySql: (table: string) => string[];
  /** Serialises writers of the audit chain inside a transaction. */
  lockAuditChain: (trx: Transaction<DB>) => Promise<void>;
  /**
   * Makes the sub-select of a claiming UPDATE skip rows other workers have locked: PostgreSQL adds
   * FOR UPDATE SKIP LOCKED; SQLite has one writer at a time, so its UPDATE is atomic as it is.
   */
  skipLocked: <O>(query: SelectQueryBuilder<DB, 'jobs', O>) => SelectQueryBuilder<DB, 'jobs', O>;
  /** SQL that makes a job becoming pending wake the listeners of `listenForJobs` (none on SQLite). */
  jobWakeupSql: () => string[];
  /**
   * Calls `onWake` when a job may have been queued by another process, until the returned function
   * is called. PostgreSQL: LISTEN on a connection of its own; `onLost` hears when it breaks (workers
   * still poll). SQLite: never; workers poll, and jobs queued in the process wake them anyway.
   */
  listenForJobs: (onWake: () => void, onLost: (err: Error) => void) => Promise<() => Promise<void>>;
  close: () => Promise<void>;
}

const JOBS_CHANNEL = 'radbridge_jobs';

// PostgreSQL bigint (int8) columns hold epoch milliseconds and counts, well inside 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely asks better-sqlite3 to prepare every query anew; the ingest path runs the same handful of
 * statements for every object, so prepared statements are kept (least recently used first out).
 */
function cachePreparedStatements(sqlite: SQLite.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, SQLite.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement) cache.delete(source);
    else statement = prepare(source);
    cache.set(source, statement);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    return statement;
  }) as typeof sqlite.prepare;
}

export async function openDatabase(config: Config['database'], dataDir: string): Promise<Database> {
  if (config.kind === 'sqlite') {
    const file = config.path ?? path.join(dataDir, 'index.sqlite');
    mkdirSync(path.dirname(file), { recursive: true });
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    // FULL makes each commit durable before it returns: an acknowledgement follows a committed row.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 10000');
    // DICOM matching is case-sensitive except for person names, which queries lower() explicitly.
    sqlite.pragma('case_sensitive_like = ON');
    cachePreparedStatements(sqlite);
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
    return {
      db,
      dialect: 'sqlite',
      schema: undefined,
      autoId: (col) => col.primaryKey().autoIncrement(),
      appendOnlySql: (table) => [
        `CREATE TRIGGER IF NOT EXISTS ${table}_no_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
        `CREATE TRIGGER IF NOT EXISTS ${table}_no_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
      ],
      lockAuditChain: async () => {},
      skipLocked: (query) => query,
      jobWakeupSql: () => [],
      listenForJobs: () => Promise.resolve(() => Promise.resolve()),
      close: () => db.destroy(),
    };
  }
  const schema = config.schema;
  const bootstrap = new pg.Client({ connectionString: config.url });
  await bootstrap.connect();
  try {
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await bootstrap.end();
  }
  const pool = new pg.Pool({ connectionString: config.url, max: 10, options: `-c search_path="${schema}"` });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    schema,
    autoId: (col) => col.primaryKey().generatedByDefaultAsIdentity(),
    appendOnlySql: (table) => [
      `CREATE OR REPLACE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${table} is append-only'; END $$`,
      `DROP TRIGGER IF EXISTS ${table}_append_only ON ${table}`,
      `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
    ],
    lockAuditChain: async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(7301)`.execute(trx);
    },
    skipLocked: (query) => query.forUpdate().skipLocked(),
    // The payload names the schema, so indexes in other schemas of the database do not wake us.
    jobWakeupSql: () => [
      `CREATE OR REPLACE FUNCTION jobs_wakeup() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('${JOBS_CHANNEL}', TG_TABLE_SCHEMA); RETURN NULL; END $$`,
      `CREATE TRIGGER jobs_wakeup AFTER INSERT OR UPDATE OF status ON jobs FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION jobs_wakeup()`,
    ],
    listenForJobs: async (onWake, onLost) => {
      const client = new pg.Client({ connectionString: config.url });
      client.on('error', onLost);
      client.on('notification', (n) => {
        if (n.channel === JOBS_CHANNEL && n.payload === schema) onWake();
      });
      await client.connect();
      await client.query(`LISTEN ${JOBS_CHANNEL}`);
      return () => client.end();
    },
    close: () => db.destroy(),
  };
}
