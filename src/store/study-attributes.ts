import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

/** A stored study's patient and study attributes by DICOM keyword, as the index holds them; empty when the study is not stored. */
export async function studyAttributes(db: Kysely<DB>, studyUid: string): Promise<Record<string, string | undefined>> {
  const row = await db
    .selectFrom('studies as st')
    .innerJoin('patients as p', 'p.id', 'st.patient_fk')
    .select(['p.patient_id', 'p.patient_name', 'p.birth_date', 'p.sex', 'st.study_uid', 'st.accession_number', 'st.study_date', 'st.study_time', 'st.study_description'])
    .where('st.study_uid', '=', studyUid)
    .executeTakeFirst();
  if (!row) return {};
  const text = (v: string | null) => (v === null || v === '' ? undefined : v);
  return {
    PatientID: text(row.patient_id),
    PatientName: text(row.patient_name),
    PatientBirthDate: text(row.birth_date),
    PatientSex: text(row.sex),
    StudyInstanceUID: row.study_uid,
    AccessionNumber: text(row.accession_number),
    StudyDate: text(row.study_date),
    StudyTime: text(row.study_time),
    StudyDescription: text(row.study_description),
  };
}
