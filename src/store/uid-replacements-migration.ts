import type { Kysely, Migration } from 'kysely';

/** 0006-uid-replacements: each UID replaced on de-identification, once, with its replacement. */
export function uidReplacementsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('uid_replacements')
        .addColumn('original_uid', 'text', (c) => c.primaryKey())
        .addColumn('replacement_uid', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
