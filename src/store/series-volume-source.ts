import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { RadbridgeError } from '../domain/errors.js';
import type { ObjectStore } from './object-store.js';
import type { DB } from './schema.js';
import { findStoredInstances } from './stored-instances.js';

/** The stored files of one series, for building a volume: listed in no particular order, read one at a time. */

export interface SeriesScope {
  studyUid: string;
  seriesUid: string;
}

export interface SeriesFile {
  sopInstanceUid: string;
  filePath: string;
  fileSize: number;
}

export async function listSeriesFiles(db: Kysely<DB>, scope: SeriesScope): Promise<SeriesFile[]> {
  const instances = await findStoredInstances(db, scope);
  return instances.map((i) => ({ sopInstanceUid: i.sopInstanceUid, filePath: i.filePath, fileSize: i.fileSize }));
}

/** Reads each file whole, one after the other: only one file's bytes are held at a time. */
export async function* readSeriesFiles(objects: ObjectStore, files: readonly SeriesFile[]): AsyncGenerator<Uint8Array> {
  for (const file of files) {
    const bytes = await readFile(objects.absolute(file.filePath));
    if (bytes.length !== file.fileSize) throw new RadbridgeError('PROCESSING_FAILURE', `stored file ${file.filePath} holds ${bytes.length} bytes, the index says ${file.fileSize}`);
    yield bytes;
  }
}

/** How many files a series has and an iterable that reads them: what src/imaging's buildVolume takes. */
export async function seriesVolumeSource(db: Kysely<DB>, objects: ObjectStore, scope: SeriesScope): Promise<{ count: number; files: AsyncIterable<Uint8Array> }> {
  const files = await listSeriesFiles(db, scope);
  if (files.length === 0) throw new RadbridgeError('NOT_FOUND', `no stored instances in series ${scope.seriesUid} of study ${scope.studyUid}`);
  return { count: files.length, files: readSeriesFiles(objects, files) };
}
