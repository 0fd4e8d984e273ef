import { readFile } from 'node:fs/promises';
import { RadbridgeError } from '../domain/errors.js';
import { buildVolume, type BuiltVolume } from '../imaging/volume.js';
import { PermanentJobError } from '../jobs/job-engine.js';
import type { AnalysisSeries } from './analyzer.js';

/** Files read ahead of the one being decoded, so reading overlaps decoding; a few MB at most. */
const READ_AHEAD = 4;

/** Reads the files in order, READ_AHEAD at a time. */
async function* readEach(files: readonly string[]): AsyncGenerator<Uint8Array> {
  const pending: Array<Promise<Uint8Array>> = [];
  let next = 0;
  const readNext = (): void => {
    const file = files[next++];
    if (file === undefined) return;
    const read = readFile(file);
    // A read that fails after the consumer stopped must not become an unhandled rejection; awaiting it still throws.
    read.catch(() => undefined);
    pending.push(read);
  };
  while (pending.length < READ_AHEAD && next < files.length) readNext();
  for (let read = pending.shift(); read; read = pending.shift()) {
    readNext();
    yield await read;
  }
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
