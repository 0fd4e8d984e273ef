import type { Transaction } from 'kysely';
import type { DuplicatePolicy } from '../config/schema.js';
import type { IndexKeyword } from '../dicom/index-attributes.js';
import { appendAudit, type AuditEvent } from './audit-log.js';
import type { Database } from './database.js';
import type { DB } from './schema.js';

export interface InstanceRecord {
  attributes: Partial<Record<IndexKeyword, string>>;
  sopInstanceUid: string;
  sopClassUid: string;
  studyUid: string;
  seriesUid: string;
  transferSyntaxUid: string;
  contentHash: string;
  filePath: string;
  fileSize: number;
  datasetOffset: number;
  pixelDataTagOffset: number | null;
  pixelDataOffset: number | null;
  pixelDataLength: number | null;
  senderAeTitle: string | null;
  receivedVia: string;
  receivedAt: number;
  /** When the series may be called complete if nothing else arrives. */
  completeAfter: number;
}

export interface ExistingInstance {
  contentHash: string;
  filePath: string;
}

export async function findInstance(database: Database, sopInstanceUid: string): Promise<ExistingInstance | undefined> {
  const row = await database.db
    .selectFrom('instances')
    .select(['content_hash', 'file_path'])
    .where('sop_instance_uid', '=', sopInstanceUid)
    .executeTakeFirst();
  return row && { contentHash: row.content_hash, filePath: row.file_path };
}

function text(v: string | undefined): string | null {
  return v === undefined || v === '' ? null : v;
}

function int(v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : null;
}

async function upsertPatient(trx: Transaction<DB>, r: InstanceRecord): Promise<number> {
  const a = r.attributes;
  const patientId = a.PatientID ?? '';
  const issuer = a.IssuerOfPatientID ?? '';
  // Objects without a Patient ID are never merged with other patients: they are keyed by their study.
  const key = patientId === '' ? `study:${r.studyUid}` : `${issuer}\\${patientId}`;
  const row = await trx
    .insertInto('patients')
    .values({
      patient_key: key,
      patient_id: patientId,
      issuer_of_patient_id: issuer,
      patient_name: text(a.PatientName),
      birth_date: text(a.PatientBirthDate),
      sex: text(a.PatientSex),
      updated_at: r.receivedAt,
    })
    .onConflict((oc) =>
      oc.column('patient_key').doUpdateSet({ patient_name: text(a.PatientName), birth_date: text(a.PatientBirthDate), sex: text(a.PatientSex), updated_at: r.receivedAt }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

type Counts = { instances: number; series: number };

/** Marks a study as receiving again (a new generation if it was complete) and adds to its counts. */
async function touchStudy(trx: Transaction<DB>, studyUid: string, r: InstanceRecord, add: Counts): Promise<number | undefined> {
  const row = await trx
    .updateTable('studies')
    .set((eb) => ({
      last_received_at: r.receivedAt,
      status: 'receiving',
      generation: eb.case().when('status', '=', 'complete').then(eb('generation', '+', 1)).else(eb.ref('generation')).end(),
      num_instances: eb('num_instances', '+', add.instances),
      num_series: eb('num_series', '+', add.series),
    }))
    .where('study_uid', '=', studyUid)
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** The common case: the series is known. One statement marks it receiving and counts the instance. */
async function touchSeries(trx: Transaction<DB>, r: InstanceRecord, added: number): Promise<number | undefined> {
  const row = await trx
    .updateTable('series')
    .set((eb) => ({
      last_received_at: r.receivedAt,
      complete_after: r.completeAfter,
      calling_ae_title: r.senderAeTitle,
      status: 'receiving',
      generation: eb.case().when('status', '=', 'complete').then(eb('generation', '+', 1)).else(eb.ref('generation')).end(),
      num_instances: eb('num_instances', '+', added),
    }))
    .where('series_uid', '=', r.seriesUid)
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

async function insertStudy(trx: Transaction<DB>, r: InstanceRecord, patientFk: number, added: number): Promise<number> {
  const a = r.attributes;
  const row = await trx
    .insertInto('studies')
    .values({
      study_uid: r.studyUid,
      patient_fk: patientFk,
      accession_number: text(a.AccessionNumber),
      study_id: text(a.StudyID),
      study_date: text(a.StudyDate),
      study_time: text(a.StudyTime),
      study_description: text(a.StudyDescription),
      referring_physician_name: text(a.ReferringPhysicianName),
      institution_name: text(a.InstitutionName),
      num_series: 1,
      num_instances: added,
      status: 'receiving',
      generation: 1,
      first_received_at: r.receivedAt,
      last_received_at: r.receivedAt,
      completed_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertSeries(trx: Transaction<DB>, r: InstanceRecord, studyFk: number, added: number): Promise<number> {
  const a = r.attributes;
  const row = await trx
    .insertInto('series')
    .values({
      series_uid: r.seriesUid,
      study_fk: studyFk,
      modality: text(a.Modality),
      body_part_examined: text(a.BodyPartExamined),
      laterality: text(a.Laterality),
      series_description: text(a.SeriesDescription),
      protocol_name: text(a.ProtocolName),
      manufacturer: text(a.Manufacturer),
      manufacturer_model_name: text(a.ManufacturerModelName),
      station_name: text(a.StationName),
      series_number: int(a.SeriesNumber),
      series_date: text(a.SeriesDate),
      series_time: text(a.SeriesTime),
      calling_ae_title: r.senderAeTitle,
      num_instances: added,
      status: 'receiving',
      generation: 1,
      first_received_at: r.receivedAt,
      last_received_at: r.receivedAt,
      complete_after: r.completeAfter,
      completed_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Records the series (and its study and patient when new); returns the series id. */
async function recordSeries(trx: Transaction<DB>, r: InstanceRecord, added: number): Promise<number> {
  const known = await touchSeries(trx, r, added);
  if (known !== undefined) {
    await touchStudy(trx, r.studyUid, r, { instances: added, series: 0 });
    return known;
  }
  const studyFk = (await touchStudy(trx, r.studyUid, r, { instances: added, series: 1 })) ?? (await insertStudy(trx, r, await upsertPatient(trx, r), added));
  return insertSeries(trx, r, studyFk, added);
}

function instanceColumns(r: InstanceRecord, seriesFk: number) {
  const a = r.attributes;
  return {
    sop_instance_uid: r.sopInstanceUid,
    sop_class_uid: r.sopClassUid,
    series_fk: seriesFk,
    instance_number: int(a.InstanceNumber),
    transfer_syntax_uid: r.transferSyntaxUid,
    content_hash: r.contentHash,
    file_path: r.filePath,
    file_size: r.fileSize,
    dataset_offset: r.datasetOffset,
    pixel_data_tag_offset: r.pixelDataTagOffset,
    pixel_data_offset: r.pixelDataOffset,
    pixel_data_length: r.pixelDataLength,
    rows: int(a.Rows),
    columns: int(a.Columns),
    number_of_frames: int(a.NumberOfFrames) ?? (a.Rows ? 1 : null),
    samples_per_pixel: int(a.SamplesPerPixel),
    bits_allocated: int(a.BitsAllocated),
    sender_ae_title: r.senderAeTitle,
    received_via: r.receivedVia,
    received_at: r.receivedAt,
  };
}

/**
 * Records a received instance, its patient, study and series, reopening a completed series or
 * study, and the audit event, in one transaction. `duplicate` says what to do when an instance
 * with this SOP Instance UID and other content is already indexed.
 */
export async function recordInstance(
  database: Database,
  r: InstanceRecord,
  duplicate: { policy: Exclude<DuplicatePolicy, 'keep-first'>; previous: ExistingInstance } | undefined,
  audit: AuditEvent,
): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    const seriesFk = await recordSeries(trx, r, duplicate ? 0 : 1);
    if (!duplicate) {
      await trx.insertInto('instances').values(instanceColumns(r, seriesFk)).execute();
    } else if (duplicate.policy === 'replace') {
      await trx
        .insertInto('instance_versions')
        .values({
          sop_instance_uid: r.sopInstanceUid,
          content_hash: duplicate.previous.contentHash,
          file_path: duplicate.previous.filePath,
          disposition: 'replaced',
          sender_ae_title: r.senderAeTitle,
          recorded_at: r.receivedAt,
        })
        .execute();
      await trx.updateTable('instances').set(instanceColumns(r, seriesFk)).where('sop_instance_uid', '=', r.sopInstanceUid).execute();
    } else {
      await trx
        .insertInto('instance_versions')
        .values({
          sop_instance_uid: r.sopInstanceUid,
          content_hash: r.contentHash,
          file_path: r.filePath,
          disposition: 'kept-both',
          sender_ae_title: r.senderAeTitle,
          recorded_at: r.receivedAt,
        })
        .execute();
    }
    await appendAudit(database, trx, audit, r.receivedAt);
  });
}
