import { open } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { RadbridgeError } from '../domain/errors.js';
import type { ObjectStore } from './object-store.js';
import type { DB } from './schema.js';

/**
 * What routing reads of a stored series: its index row and the header bytes (everything before the
 * pixel data) of each file, in the order received, so the first file received stands for the series.
 */

export interface StoredSeriesHeaders {
  studyUid: string;
  seriesUid: string;
  generation: number;
  status: 'receiving' | 'complete';
  callingAeTitle: string | null;
  files: Array<{ filePath: string; headerLength: number }>;
}

export async function findSeriesHeaders(db: Kysely<DB>, seriesUid: string): Promise<StoredSeriesHeaders | undefined> {
  const series = await db
    .selectFrom('series as se')
    .innerJoin('studies as st', 'st.id', 'se.study_fk')
    .select(['se.id', 'st.study_uid', 'se.series_uid', 'se.generation', 'se.status', 'se.calling_ae_title'])
    .where('se.series_uid', '=', seriesUid)
    .executeTakeFirst();
  if (!series) return undefined;
  const files = await db
    .selectFrom('instances')
    .select(['file_path', 'file_size', 'pixel_data_tag_offset'])
    .where('series_fk', '=', series.id)
    .orderBy('id')
    .execute();
  return {
    studyUid: series.study_uid,
    seriesUid: series.series_uid,
    generation: series.generation,
    status: series.status,
    callingAeTitle: series.calling_ae_title,
    files: files.map((f) => ({ filePath: f.file_path, headerLength: f.pixel_data_tag_offset ?? f.file_size })),
  };
}

/** The series of a study in the order they were first received. */
export async function listStudySeriesUids(db: Kysely<DB>, studyUid: string): Promise<string[]> {
  const rows = await db
    .selectFrom('series as se')
    .innerJoin('studies as st', 'st.id', 'se.study_fk')
    .select('se.series_uid')
    .where('st.study_uid', '=', studyUid)
    .orderBy('se.id')
    .execute();
  return rows.map((r) => r.series_uid);
}

/** Reads the header bytes of each file, one file at a time. */
export async function* readHeaderBytes(objects: ObjectStore, files: StoredSeriesHeaders['files']): AsyncGenerator<Uint8Array> {
  for (const file of files) {
    const handle = await open(objects.absolute(file.filePath), 'r');
    try {
      const bytes = new Uint8Array(file.headerLength);
      const { bytesRead } = await handle.read(bytes, 0, file.headerLength, 0);
      if (bytesRead !== file.headerLength) throw new RadbridgeError('PROCESSING_FAILURE', `stored file ${file.filePath} is shorter than its indexed header (${bytesRead} of ${file.headerLength} bytes)`);
      yield bytes;
    } finally {
      await handle.close();
    }
  }
}
