import type { Kysely } from 'kysely';
import type { OrderContext } from '../hl7/order-context.js';
import type { DB } from './schema.js';

/** The context HL7 messages brought, kept one row per message so the latest word on an order or a patient wins and the history stays. */

export async function recordOrderContext(db: Kysely<DB>, context: OrderContext, now: number): Promise<void> {
  await db
    .insertInto('order_context')
    .values({
      message_type: context.messageType,
      patient_id: context.patientId,
      accession_number: context.accessionNumber ?? null,
      priority: context.priority ?? null,
      trauma_activation: context.traumaActivation ?? null,
      received_at: now,
    })
    .execute();
}

/**
 * The clinical context routing rules see for a study (`context` predicates): its order's priority
 * and trauma activation, found by the study's accession number and patient ID in the index.
 */
export async function studyClinicalContext(db: Kysely<DB>, studyUid: string): Promise<{ priority?: string; traumaActivation?: string }> {
  const study = await db
    .selectFrom('studies as st')
    .innerJoin('patients as p', 'p.id', 'st.patient_fk')
    .select(['st.accession_number', 'p.patient_id'])
    .where('st.study_uid', '=', studyUid)
    .executeTakeFirst();
  if (!study) return {};
  return orderContext(db, study.accession_number ?? '', study.patient_id);
}

/** What is known of an order: its latest priority, and the latest trauma activation of the order or else of its patient. */
export async function orderContext(db: Kysely<DB>, accessionNumber: string, patientId: string): Promise<{ priority?: string; traumaActivation?: string }> {
  const latest = async (column: 'priority' | 'trauma_activation', key: 'accession_number' | 'patient_id', keyValue: string) =>
    (await db.selectFrom('order_context').select(column).where(key, '=', keyValue).where(column, 'is not', null).orderBy('id', 'desc').executeTakeFirst())?.[column] ?? undefined;
  const priority = await latest('priority', 'accession_number', accessionNumber);
  const traumaActivation = (await latest('trauma_activation', 'accession_number', accessionNumber)) ?? (await latest('trauma_activation', 'patient_id', patientId));
  return { ...(priority ? { priority } : {}), ...(traumaActivation ? { traumaActivation } : {}) };
}
