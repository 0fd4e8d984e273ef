import { sql } from 'kysely';
import type { Config } from '../config/schema.js';
import type { Database } from './database.js';
import { enqueueJob } from './job-queue.js';

/**
 * Marks series complete once their quiet period has passed, and studies once all their series are
 * complete and any expected-series rule is met (or its wait has run out). Each completion writes a
 * durable job in the same transaction; a completion after a reopening carries amendment: true.
 */
export async function completeQuietSeries(database: Database, now: number): Promise<number> {
  const due = await database.db
    .selectFrom('series')
    .innerJoin('studies', 'studies.id', 'series.study_fk')
    .select(['series.id', 'series.series_uid', 'series.generation', 'series.num_instances', 'studies.study_uid'])
    .where('series.status', '=', 'receiving')
    .where('series.complete_after', '<=', now)
    .orderBy('series.id')
    .limit(500)
    .execute();
  for (const s of due) {
    await database.db.transaction().execute(async (trx) => {
      const done = await trx
        .updateTable('series')
        .set({ status: 'complete', completed_at: now })
        .where('id', '=', s.id)
        .where('status', '=', 'receiving')
        .where('generation', '=', s.generation)
        .where('complete_after', '<=', now)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) return;
      await enqueueJob(
        trx,
        'series.complete',
        { seriesUid: s.series_uid, studyUid: s.study_uid, generation: s.generation, amendment: s.generation > 1, instanceCount: s.num_instances },
        `series.complete:${s.series_uid}:${s.generation}`,
        now,
      );
    });
  }
  return due.length;
}

type ExpectedSeriesRule = Config['completion']['expectedSeries'][number];

export async function completeReadyStudies(database: Database, rules: readonly ExpectedSeriesRule[], now: number): Promise<number> {
  const ready = await database.db
    .selectFrom('studies')
    .select(['id', 'study_uid', 'generation', 'num_series', 'num_instances', 'first_received_at'])
    .where('status', '=', 'receiving')
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('series').select(sql`1`.as('one')).whereRef('series.study_fk', '=', 'studies.id').where('series.status', '=', 'receiving'))),
    )
    .orderBy('id')
    .limit(500)
    .execute();
  let completed = 0;
  for (const study of ready) {
    if (!(await expectationsMet(database, study, rules, now))) continue;
    await database.db.transaction().execute(async (trx) => {
      const done = await trx
        .updateTable('studies')
        .set({ status: 'complete', completed_at: now })
        .where('id', '=', study.id)
        .where('status', '=', 'receiving')
        .where('generation', '=', study.generation)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) return;
      completed++;
      await enqueueJob(
        trx,
        'study.complete',
        { studyUid: study.study_uid, generation: study.generation, amendment: study.generation > 1, seriesCount: study.num_series, instanceCount: study.num_instances },
        `study.complete:${study.study_uid}:${study.generation}`,
        now,
      );
    });
  }
  return completed;
}

async function expectationsMet(
  database: Database,
  study: { id: number; num_series: number; first_received_at: number },
  rules: readonly ExpectedSeriesRule[],
  now: number,
): Promise<boolean> {
  if (rules.length === 0) return true;
  const series = await database.db.selectFrom('series').select(['modality', 'calling_ae_title']).where('study_fk', '=', study.id).execute();
  return rules.every((rule) => {
    const applies = series.some(
      (s) => (rule.modality === undefined || s.modality === rule.modality) && (rule.callingAeTitle === undefined || s.calling_ae_title === rule.callingAeTitle),
    );
    return !applies || study.num_series >= rule.minSeries || now - study.first_received_at >= rule.maxWaitMs;
  });
}
