import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { QueryFilter, QueryKeyword } from '../dicomweb/qido-params.js';
import type { DB } from './schema.js';

/** The searches of QIDO-RS and the instance look-ups of WADO-RS, in SQL that SQLite and PostgreSQL both run. */

export interface StudyMatch {
  studyUid: string;
  studyDate: string | null;
  studyTime: string | null;
  accessionNumber: string | null;
  studyId: string | null;
  studyDescription: string | null;
  referringPhysicianName: string | null;
  institutionName: string | null;
  numSeries: number;
  numInstances: number;
  patientName: string | null;
  patientId: string;
  patientBirthDate: string | null;
  patientSex: string | null;
  modalities: string[];
}

export interface SeriesMatch {
  study: StudyMatch;
  seriesUid: string;
  modality: string | null;
  seriesNumber: number | null;
  seriesDescription: string | null;
  bodyPartExamined: string | null;
  laterality: string | null;
  protocolName: string | null;
  manufacturer: string | null;
  manufacturerModelName: string | null;
  stationName: string | null;
  seriesDate: string | null;
  seriesTime: string | null;
  numInstances: number;
}

export interface InstanceMatch {
  series: SeriesMatch;
  sopInstanceUid: string;
  sopClassUid: string;
  instanceNumber: number | null;
  transferSyntaxUid: string;
  rows: number | null;
  columns: number | null;
  numberOfFrames: number | null;
  samplesPerPixel: number | null;
  bitsAllocated: number | null;
}

export interface Page {
  limit: number;
  offset: number;
}

const columns: Record<Exclude<QueryKeyword, 'ModalitiesInStudy'>, string> = {
  PatientName: 'p.patient_name',
  PatientID: 'p.patient_id',
  StudyInstanceUID: 'st.study_uid',
  AccessionNumber: 'st.accession_number',
  StudyDate: 'st.study_date',
  StudyTime: 'st.study_time',
  StudyDescription: 'st.study_description',
  ReferringPhysicianName: 'st.referring_physician_name',
  SeriesInstanceUID: 'se.series_uid',
  Modality: 'se.modality',
  SeriesNumber: 'se.series_number',
  BodyPartExamined: 'se.body_part_examined',
  SeriesDescription: 'se.series_description',
  SOPInstanceUID: 'i.sop_instance_uid',
  SOPClassUID: 'i.sop_class_uid',
  InstanceNumber: 'i.instance_number',
};

function condition(column: string, filter: QueryFilter): Expression<SqlBool> {
  const fold = (e: Expression<unknown>) => (filter.caseInsensitive ? sql`lower(${e})` : e);
  const lhs = fold(sql.ref(column));
  const m = filter.matcher;
  switch (m.kind) {
    case 'single':
      return sql<SqlBool>`${lhs} = ${fold(sql.val(m.value))}`;
    case 'list':
      return sql<SqlBool>`${lhs} in (${sql.join(m.values.map((v) => fold(sql.val(v))))})`;
    case 'wildcard':
      return sql<SqlBool>`${lhs} like ${fold(sql.val(m.pattern))} escape '!'`;
    case 'range': {
      const bounds = [m.from === undefined ? [] : [sql`${lhs} >= ${m.from}`], m.to === undefined ? [] : [sql`${lhs} <= ${m.to}`]].flat();
      return sql<SqlBool>`(${sql.join(bounds, sql` and `)})`;
    }
  }
}

/** Every filter as one condition over the aliases p, st, se and i. */
function matching(db: Kysely<DB>, filters: QueryFilter[]): Expression<SqlBool> {
  const conditions = filters.map((f) =>
    f.key === 'ModalitiesInStudy'
      ? sql<SqlBool>`exists ${db
          .selectFrom('series as ms')
          .select('ms.id')
          .where('ms.study_fk', '=', sql.ref<number>('st.id'))
          .where(condition('ms.modality', f))}`
      : condition(columns[f.key], f),
  );
  return conditions.length === 0 ? sql<SqlBool>`1 = 1` : sql<SqlBool>`${sql.join(conditions, sql` and `)}`;
}

const studySelection = [
  'st.id as study_pk',
  'st.study_uid',
  'st.study_date',
  'st.study_time',
  'st.accession_number',
  'st.study_id',
  'st.study_description',
  'st.referring_physician_name',
  'st.institution_name',
  'st.num_series',
  'st.num_instances as study_num_instances',
  'p.patient_name',
  'p.patient_id',
  'p.birth_date',
  'p.sex',
] as const;

const seriesSelection = [
  'se.series_uid',
  'se.modality',
  'se.series_number',
  'se.series_description',
  'se.body_part_examined',
  'se.laterality',
  'se.protocol_name',
  'se.manufacturer',
  'se.manufacturer_model_name',
  'se.station_name',
  'se.series_date',
  'se.series_time',
  'se.num_instances as series_num_instances',
] as const;

const instanceSelection = [
  'i.sop_instance_uid',
  'i.sop_class_uid',
  'i.instance_number',
  'i.transfer_syntax_uid',
  'i.rows',
  'i.columns',
  'i.number_of_frames',
  'i.samples_per_pixel',
  'i.bits_allocated',
] as const;

function studiesFrom(db: Kysely<DB>) {
  return db.selectFrom('studies as st').innerJoin('patients as p', 'p.id', 'st.patient_fk');
}

function seriesFrom(db: Kysely<DB>) {
  return db.selectFrom('series as se').innerJoin('studies as st', 'st.id', 'se.study_fk').innerJoin('patients as p', 'p.id', 'st.patient_fk');
}

function instancesFrom(db: Kysely<DB>) {
  return db
    .selectFrom('instances as i')
    .innerJoin('series as se', 'se.id', 'i.series_fk')
    .innerJoin('studies as st', 'st.id', 'se.study_fk')
    .innerJoin('patients as p', 'p.id', 'st.patient_fk');
}

export async function searchStudies(db: Kysely<DB>, filters: QueryFilter[], page: Page): Promise<StudyMatch[]> {
  const rows = await studiesFrom(db).select(studySelection).where(matching(db, filters)).orderBy('st.id').limit(page.limit).offset(page.offset).execute();
  const modalities = await modalitiesOf(db, rows);
  return rows.map((r) => studyOf(r, modalities));
}

export async function searchSeries(db: Kysely<DB>, filters: QueryFilter[], page: Page): Promise<SeriesMatch[]> {
  const rows = await seriesFrom(db)
    .select([...studySelection, ...seriesSelection])
    .where(matching(db, filters))
    .orderBy('se.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const modalities = await modalitiesOf(db, rows);
  return rows.map((r) => seriesOf(r, studyOf(r, modalities)));
}

export async function searchInstances(db: Kysely<DB>, filters: QueryFilter[], page: Page): Promise<InstanceMatch[]> {
  const rows = await instancesFrom(db)
    .select([...studySelection, ...seriesSelection, ...instanceSelection])
    .where(matching(db, filters))
    .orderBy('i.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const modalities = await modalitiesOf(db, rows);
  return rows.map((r) => ({
    series: seriesOf(r, studyOf(r, modalities)),
    sopInstanceUid: r.sop_instance_uid,
    sopClassUid: r.sop_class_uid,
    instanceNumber: r.instance_number,
    transferSyntaxUid: r.transfer_syntax_uid,
    rows: r.rows,
    columns: r.columns,
    numberOfFrames: r.number_of_frames,
    samplesPerPixel: r.samples_per_pixel,
    bitsAllocated: r.bits_allocated,
  }));
}

async function modalitiesOf(db: Kysely<DB>, rows: Array<{ study_pk: number }>): Promise<Map<number, string[]>> {
  const ids = [...new Set(rows.map((r) => r.study_pk))];
  const byStudy = new Map<number, string[]>();
  if (ids.length === 0) return byStudy;
  const pairs = await db
    .selectFrom('series')
    .select(['study_fk', 'modality'])
    .distinct()
    .where('study_fk', 'in', ids)
    .where('modality', 'is not', null)
    .orderBy('modality')
    .execute();
  for (const { study_fk, modality } of pairs) {
    if (modality !== null) byStudy.set(study_fk, [...(byStudy.get(study_fk) ?? []), modality]);
  }
  return byStudy;
}

type Nullable<K extends string> = Record<K, string | null>;

type StudyRow = Nullable<
  'study_date' | 'study_time' | 'accession_number' | 'study_id' | 'study_description' | 'referring_physician_name' | 'institution_name' | 'patient_name' | 'birth_date' | 'sex'
> & { study_pk: number; study_uid: string; num_series: number; study_num_instances: number; patient_id: string };

function studyOf(r: StudyRow, modalities: Map<number, string[]>): StudyMatch {
  return {
    studyUid: r.study_uid,
    studyDate: r.study_date,
    studyTime: r.study_time,
    accessionNumber: r.accession_number,
    studyId: r.study_id,
    studyDescription: r.study_description,
    referringPhysicianName: r.referring_physician_name,
    institutionName: r.institution_name,
    numSeries: r.num_series,
    numInstances: r.study_num_instances,
    patientName: r.patient_name,
    patientId: r.patient_id,
    patientBirthDate: r.birth_date,
    patientSex: r.sex,
    modalities: modalities.get(r.study_pk) ?? [],
  };
}

type SeriesRow = Nullable<
  | 'modality'
  | 'series_description'
  | 'body_part_examined'
  | 'laterality'
  | 'protocol_name'
  | 'manufacturer'
  | 'manufacturer_model_name'
  | 'station_name'
  | 'series_date'
  | 'series_time'
> & { series_uid: string; series_number: number | null; series_num_instances: number };

function seriesOf(r: SeriesRow, study: StudyMatch): SeriesMatch {
  return {
    study,
    seriesUid: r.series_uid,
    modality: r.modality,
    seriesNumber: r.series_number,
    seriesDescription: r.series_description,
    bodyPartExamined: r.body_part_examined,
    laterality: r.laterality,
    protocolName: r.protocol_name,
    manufacturer: r.manufacturer,
    manufacturerModelName: r.manufacturer_model_name,
    stationName: r.station_name,
    seriesDate: r.series_date,
    seriesTime: r.series_time,
    numInstances: r.series_num_instances,
  };
}
