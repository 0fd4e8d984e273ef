import type { JsonDataset } from './dicom-json.js';
import { retrieveFailure, statusFailure, type RetrieveOptions } from './wado-rs-client.js';

/** QIDO-RS Search For Series of a study (PS3.18 10.6): GET {base}/studies/{uid}/series, as DICOM JSON. */
export async function searchStudySeries(baseUrl: string, studyUid: string, options: RetrieveOptions): Promise<JsonDataset[]> {
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${baseUrl.replace(/\/+$/, '')}/studies/${encodeURIComponent(studyUid)}/series`, { headers: { accept: 'application/dicom+json' }, signal: AbortSignal.any(signals) });
    text = await response.text();
  } catch (err) {
    throw retrieveFailure(err, baseUrl, options.timeoutMs);
  }
  // 204 or 404: no series of the study (yet).
  if (response.status === 204 || response.status === 404) return [];
  if (!response.ok) throw statusFailure(response.status, response.statusText);
  return text.trim() === '' ? [] : (JSON.parse(text) as JsonDataset[]);
}
