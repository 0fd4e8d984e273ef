import { readFile } from 'node:fs/promises';
import { RadbridgeError } from '../domain/errors.js';
import { buildVolume, type BuiltVolume } from '../imaging/volume.js';
import { PermanentJobError } from '../jobs/job-engine.js';
import type { AnalysisSeries } from './analyzer.js';

async function* readEach(files: readonly string[]): AsyncGenerator<Uint8Array> {
  for (const file of files) yield await readFile(file);
}

/** An analysis series as a volume in patient space; slices that do not form one fail permanently, with the reason. */
export async function seriesVolume(series: AnalysisSeries): Promise<BuiltVolume> {
  try {
    return await buildVolume({ count: series.instances.length, files: readEach(series.instances.map((i) => i.file)) });
  } catch (err) {
    if (err instanceof RadbridgeError && err.code !== 'PROCESSING_FAILURE') throw new PermanentJobError(`series ${series.seriesUid} cannot be read as a volume: ${err.message}`, { cause: err });
    throw err;
  }
}
