import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import type { Database } from './database.js';
import { analysisMigration } from './analysis-migration.js';
import { registryMigration } from './registry-migration.js';
import { uidReplacementsMigration } from './uid-replacements-migration.js';
import { aisDecisionsMigration } from './ais-decisions-migration.js';
import { routingMigration } from './routing-migration.js';
import { outboxMigration } from './outbox-migration.js';
import { hl7ReceivedMigration } from './hl7-received-migration.js';
import { messageOutboxMigration } from './message-outbox-migration.js';
import { orderContextMigration } from './order-context-migration.js';
import { alertsMigration } from './alerts-migration.js';
import { NORMAL_PRIORITY } from '../domain/lane.js';

function initial(database: Database): Migration {
  const id = database.autoId;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('patients')
        .addColumn('id', 'integer', id)
        .addColumn('patient_key', 'text', (c) => c.notNull().unique())
        .addColumn('patient_id', 'text', (c) => c.notNull())
        .addColumn('issuer_of_patient_id', 'text', (c) => c.notNull())
        .addColumn('patient_name', 'text')
        .addColumn('birth_date', 'text')
        .addColumn('sex', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('studies')
        .addColumn('id', 'integer', id)
        .addColumn('study_uid', 'text', (c) => c.notNull().unique())
        .addColumn('patient_fk', 'integer', (c) => c.notNull().references('patients.id'))
        .addColumn('accession_number', 'text')
        .addColumn('study_id', 'text')
        .addColumn('study_date', 'text')
        .addColumn('study_time', 'text')
        .addColumn('study_description', 'text')
        .addColumn('referring_physician_name', 'text')
        .addColumn('institution_name', 'text')
        .addColumn('num_series', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('num_instances', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('first_received_at', 'bigint', (c) => c.notNull())
        .addColumn('last_received_at', 'bigint', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .execute();
      await db.schema.createIndex('studies_accession').on('studies').column('accession_number').execute();
      await db.schema.createIndex('studies_date').on('studies').column('study_date').execute();
      await db.schema.createIndex('studies_status').on('studies').column('status').execute();
      await db.schema
        .createTable('series')
        .addColumn('id', 'integer', id)
        .addColumn('series_uid', 'text', (c) => c.notNull().unique())
        .addColumn('study_fk', 'integer', (c) => c.notNull().references('studies.id'))
        .addColumn('modality', 'text')
        .addColumn('body_part_examined', 'text')
        .addColumn('laterality', 'text')
        .addColumn('series_description', 'text')
        .addColumn('protocol_name', 'text')
        .addColumn('manufacturer', 'text')
        .addColumn('manufacturer_model_name', 'text')
        .addColumn('station_name', 'text')
        .addColumn('series_number', 'integer')
        .addColumn('series_date', 'text')
        .addColumn('series_time', 'text')
        .addColumn('calling_ae_title', 'text')
        .addColumn('num_instances', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('first_received_at', 'bigint', (c) => c.notNull())
        .addColumn('last_received_at', 'bigint', (c) => c.notNull())
        .addColumn('complete_after', 'bigint', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .execute();
      await db.schema.createIndex('series_study').on('series').column('study_fk').execute();
      await db.schema.createIndex('series_pending').on('series').columns(['status', 'complete_after']).execute();
      await db.schema
        .createTable('instances')
        .addColumn('id', 'integer', id)
        .addColumn('sop_instance_uid', 'text', (c) => c.notNull().unique())
        .addColumn('sop_class_uid', 'text', (c) => c.notNull())
        .addColumn('series_fk', 'integer', (c) => c.notNull().references('series.id'))
        .addColumn('instance_number', 'integer')
        .addColumn('transfer_syntax_uid', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('file_path', 'text', (c) => c.notNull())
        .addColumn('file_size', 'bigint', (c) => c.notNull())
        .addColumn('dataset_offset', 'integer', (c) => c.notNull())
        .addColumn('pixel_data_tag_offset', 'bigint')
        .addColumn('pixel_data_offset', 'bigint')
        .addColumn('pixel_data_length', 'bigint')
        .addColumn('rows', 'integer')
        .addColumn('columns', 'integer')
        .addColumn('number_of_frames', 'integer')
        .addColumn('samples_per_pixel', 'integer')
        .addColumn('bits_allocated', 'integer')
        .addColumn('sender_ae_title', 'text')
        .addColumn('received_via', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('instances_series').on('instances').column('series_fk').execute();
      await db.schema
        .createTable('instance_versions')
        .addColumn('id', 'integer', id)
        .addColumn('sop_instance_uid', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('file_path', 'text', (c) => c.notNull())
        .addColumn('disposition', 'text', (c) => c.notNull())
        .addColumn('sender_ae_title', 'text')
        .addColumn('recorded_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'integer', id)
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('run_after', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_pending').on('jobs').columns(['kind', 'status', 'run_after']).execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'integer', id)
        .addColumn('recorded_at', 'bigint', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('event_code', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('study_uid', 'text')
        .addColumn('sop_instance_uid', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      for (const statement of database.appendOnlySql('audit_log')) await sql.raw(statement).execute(db);
    },
  };
}

/**
 * Leases, deadlines, attempt limits and dead letters for the job engine, the wake-up of workers in
 * other processes, and the effects table that makes a job's effect happen once; rows of 0001 stay valid.
 */
const jobEngine = (database: Database): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('jobs').addColumn('lease_owner', 'text').execute();
    await db.schema.alterTable('jobs').addColumn('lease_until', 'bigint').execute();
    await db.schema.alterTable('jobs').addColumn('deadline_at', 'bigint').execute();
    await db.schema.alterTable('jobs').addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5)).execute();
    await db.schema.alterTable('jobs').addColumn('started_at', 'bigint').execute();
    await db.schema.alterTable('jobs').addColumn('dead_lettered_at', 'bigint').execute();
    await db.schema.alterTable('jobs').addColumn('priority', 'integer', (c) => c.notNull().defaultTo(NORMAL_PRIORITY)).execute();
    // A job left running by a worker of 0001 has no lease: it is claimable again at once.
    await sql`UPDATE jobs SET lease_until = 0 WHERE status = 'running'`.execute(db);
    await db.schema.createIndex('jobs_leases').on('jobs').columns(['status', 'lease_until']).execute();
    await db.schema
      .createTable('job_effects')
      .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
      .addColumn('effect', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'bigint', (c) => c.notNull())
      .execute();
    for (const statement of database.jobWakeupSql()) await sql.raw(statement).execute(db);
  },
});

export async function migrate(database: Database): Promise<void> {
  const migrator = new Migrator({
    db: database.db,
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
    provider: {
      getMigrations: () =>
        Promise.resolve({
          '0001-initial': initial(database),
          '0002-job-engine': jobEngine(database),
          '0003-routing': routingMigration(database),
          '0004-analysis-results': analysisMigration(database),
          '0005-analyzer-registry': registryMigration(database),
          '0006-uid-replacements': uidReplacementsMigration(),
          '0007-ais-decisions': aisDecisionsMigration(database),
          '0008-outbox': outboxMigration(database),
          '0009-hl7-received': hl7ReceivedMigration(),
          '0010-message-outbox': messageOutboxMigration(database),
          '0011-order-context': orderContextMigration(database),
          '0012-alerts': alertsMigration(database),
        }),
    },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error('index migration failed', { cause: error });
}
