import { readFile } from 'node:fs/promises';
import { decimals } from '../imaging/decimal-attributes.js';
import { decodeInstance } from '../imaging/decode-instance.js';
import { PermanentJobError } from '../jobs/job-engine.js';
import type { ObjectStore } from '../store/object-store.js';
import { findStoredInstances } from '../store/stored-instances.js';
import type { Database } from '../store/database.js';
import type { SourceImage } from './result-document.js';
import type { KeySlicePixels } from './sc/summary-image.js';

/** A soft-tissue window, for an image that names none. */
const DEFAULT_WINDOW = { center: 40, width: 400 };

/** The modality values and first VOI window of a stored single-frame grey image, for the summary image. */
export async function keySlicePixels(database: Database, objects: ObjectStore, studyUid: string, image: SourceImage): Promise<KeySlicePixels> {
  const [stored] = await findStoredInstances(database.db, { studyUid, seriesUid: image.seriesUid, sopInstanceUid: image.sopInstanceUid });
  if (!stored) throw new PermanentJobError(`key image ${image.sopInstanceUid} is no longer stored`);
  const { frames, dataset } = await decodeInstance(await readFile(objects.absolute(stored.filePath)));
  const [frame] = frames;
  if (!frame || frame.samplesPerPixel !== 1) throw new PermanentJobError(`key image ${image.sopInstanceUid} is not a grey image`);
  const slope = decimals(dataset, '00281053', 'RescaleSlope')?.[0] ?? 1;
  const intercept = decimals(dataset, '00281052', 'RescaleIntercept')?.[0] ?? 0;
  const values = Float32Array.from(frame.samples, (v) => v * slope + intercept);
  const center = decimals(dataset, '00281050', 'WindowCenter')?.[0];
  const width = decimals(dataset, '00281051', 'WindowWidth')?.[0];
  return { sopInstanceUid: image.sopInstanceUid, values, window: center !== undefined && width !== undefined && width >= 1 ? { center, width } : DEFAULT_WINDOW };
}
