import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import type { DB } from './schema.js';

/**
 * The result objects the hub wrote (SR, SEG, KOS, summary image), by SOP Instance UID: which
 * analysis result and revision each came from and where its file is. Their UIDs are deterministic,
 * so writing the same result again records nothing new.
 */

export interface ResultObject {
  sopInstanceUid: string;
  resultKey: string;
  revision: number;
  studyUid: string;
  seriesUid: string;
  /** sr | seg | kos | summary-image */
  objectKind: string;
  sopClassUid: string;
  filePath: string;
  createdAt: number;
}

/** Records the objects; one already recorded under its SOP Instance UID is kept as it is. */
export async function recordResultObjects(database: Database, objects: readonly Omit<ResultObject, 'createdAt'>[], now: number): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    for (const o of objects) {
      await trx
        .insertInto('result_objects')
        .values({
          sop_instance_uid: o.sopInstanceUid,
          result_key: o.resultKey,
          revision: o.revision,
          study_uid: o.studyUid,
          series_uid: o.seriesUid,
          object_kind: o.objectKind,
          sop_class_uid: o.sopClassUid,
          file_path: o.filePath,
          created_at: now,
        })
        .onConflict((oc) => oc.column('sop_instance_uid').doNothing())
        .execute();
    }
  });
}

export async function listResultObjects(db: Kysely<DB>, studyUid: string): Promise<ResultObject[]> {
  const rows = await db.selectFrom('result_objects').selectAll().where('study_uid', '=', studyUid).orderBy('id').execute();
  return rows.map((r) => ({
    sopInstanceUid: r.sop_instance_uid,
    resultKey: r.result_key,
    revision: r.revision,
    studyUid: r.study_uid,
    seriesUid: r.series_uid,
    objectKind: r.object_kind,
    sopClassUid: r.sop_class_uid,
    filePath: r.file_path,
    createdAt: Number(r.created_at),
  }));
}
