import { createHash } from 'node:crypto';
import { classifyHeaders } from '../classify/classify-headers.js';
import { instanceMetadata } from '../dicomweb/instance-metadata.js';
import type { RolloutMode } from '../domain/rollout-mode.js';
import { PermanentJobError } from '../jobs/job-engine.js';
import type { Database } from '../store/database.js';
import type { ObjectStore } from '../store/object-store.js';
import { readHeaderBytes } from '../store/series-headers.js';
import { findSeriesFiles, type SeriesFile } from '../store/stored-instances.js';
import type { AnalysisInput, AnalysisSeries } from './analyzer.js';

async function seriesOf(objects: ObjectStore, seriesUid: string, files: SeriesFile[]): Promise<AnalysisSeries> {
  const headers = [];
  for await (const bytes of readHeaderBytes(objects, files)) headers.push(instanceMetadata(bytes));
  return {
    seriesUid,
    modality: files[0]?.modality ?? '',
    classification: classifyHeaders(headers),
    instances: files.map((f) => ({ sopInstanceUid: f.sopInstanceUid, file: objects.absolute(f.filePath) })),
  };
}

/**
 * What an analyzer is given for the series routing chose: each series' stored instances with
 * their files and its classification from the headers, and one hash over the content of every
 * file, so a result names exactly the pixels it came from.
 */
export async function analysisInputOf(database: Database, objects: ObjectStore, studyUid: string, seriesUids: readonly string[], mode: RolloutMode): Promise<AnalysisInput> {
  const files = await findSeriesFiles(database.db, studyUid, seriesUids);
  const series: AnalysisSeries[] = [];
  for (const seriesUid of seriesUids) {
    const own = files.filter((f) => f.seriesUid === seriesUid);
    if (own.length === 0) throw new PermanentJobError(`series ${seriesUid} of study ${studyUid} is not stored`);
    series.push(await seriesOf(objects, seriesUid, own));
  }
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.contentHash}\n`);
  return { studyUid, series, inputHash: hash.digest('hex'), mode };
}
