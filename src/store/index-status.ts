import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

export interface IndexStatus {
  patients: number;
  studies: number;
  series: number;
  instances: number;
  studiesReceiving: number;
  jobsPending: number;
}

export async function indexStatus(db: Kysely<DB>): Promise<IndexStatus> {
  const count = async (table: 'patients' | 'studies' | 'series' | 'instances') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const receiving = await db.selectFrom('studies').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'receiving').executeTakeFirstOrThrow();
  const pending = await db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
  return {
    patients: await count('patients'),
    studies: await count('studies'),
    series: await count('series'),
    instances: await count('instances'),
    studiesReceiving: Number(receiving.n),
    jobsPending: Number(pending.n),
  };
}
