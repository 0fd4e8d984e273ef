import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

/** The stored instances of a study, series or single instance, with what WADO-RS needs to read their files. */
export interface StoredInstance {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  filePath: string;
  fileSize: number;
  pixelDataTagOffset: number | null;
  pixelDataOffset: number | null;
  pixelDataLength: number | null;
  rows: number | null;
  columns: number | null;
  numberOfFrames: number | null;
  samplesPerPixel: number | null;
  bitsAllocated: number | null;
}

export interface InstanceScope {
  studyUid: string;
  seriesUid?: string | undefined;
  sopInstanceUid?: string | undefined;
}

export async function findStoredInstances(db: Kysely<DB>, scope: InstanceScope): Promise<StoredInstance[]> {
  let query = db
    .selectFrom('instances as i')
    .innerJoin('series as se', 'se.id', 'i.series_fk')
    .innerJoin('studies as st', 'st.id', 'se.study_fk')
    .select([
      'st.study_uid as studyUid',
      'se.series_uid as seriesUid',
      'i.sop_instance_uid as sopInstanceUid',
      'i.transfer_syntax_uid as transferSyntaxUid',
      'i.file_path as filePath',
      'i.file_size as fileSize',
      'i.pixel_data_tag_offset as pixelDataTagOffset',
      'i.pixel_data_offset as pixelDataOffset',
      'i.pixel_data_length as pixelDataLength',
      'i.rows',
      'i.columns',
      'i.number_of_frames as numberOfFrames',
      'i.samples_per_pixel as samplesPerPixel',
      'i.bits_allocated as bitsAllocated',
    ])
    .where('st.study_uid', '=', scope.studyUid);
  if (scope.seriesUid !== undefined) query = query.where('se.series_uid', '=', scope.seriesUid);
  if (scope.sopInstanceUid !== undefined) query = query.where('i.sop_instance_uid', '=', scope.sopInstanceUid);
  return query.orderBy('se.id').orderBy('i.id').execute();
}

/** A stored file of a series, for sending it on or analyzing it. */
export interface SeriesFile {
  seriesUid: string;
  modality: string | null;
  sopInstanceUid: string;
  /** Relative to the object store (ObjectStore.absolute). */
  filePath: string;
  contentHash: string;
  /** Bytes before the pixel data (the whole file when it has none). */
  headerLength: number;
}

/** The stored files of the given series of a study, series by series in the order they were received. */
export async function findSeriesFiles(db: Kysely<DB>, studyUid: string, seriesUids: readonly string[]): Promise<SeriesFile[]> {
  if (seriesUids.length === 0) return [];
  const rows = await db
    .selectFrom('instances as i')
    .innerJoin('series as se', 'se.id', 'i.series_fk')
    .innerJoin('studies as st', 'st.id', 'se.study_fk')
    .select(['se.series_uid', 'se.modality', 'i.sop_instance_uid', 'i.file_path', 'i.content_hash', 'i.file_size', 'i.pixel_data_tag_offset'])
    .where('st.study_uid', '=', studyUid)
    .where('se.series_uid', 'in', [...seriesUids])
    .orderBy('se.id')
    .orderBy('i.id')
    .execute();
  return rows.map((r) => ({
    seriesUid: r.series_uid,
    modality: r.modality,
    sopInstanceUid: r.sop_instance_uid,
    filePath: r.file_path,
    contentHash: r.content_hash,
    headerLength: r.pixel_data_tag_offset ?? r.file_size,
  }));
}
