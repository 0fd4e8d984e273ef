import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { multipartContentType, multipartRelated, newBoundary } from './multipart-writer.js';
import { RetrieveError, retrieveFailure, statusFailure, type RetrieveOptions } from './wado-rs-client.js';

export interface StoreOutcome {
  /** Instances the server refused in a 202 answer (Failed SOP Sequence), with their Failure Reason. */
  refused: Array<{ sopInstanceUid: string; reason: number }>;
}

type JsonAttribute = { Value?: unknown[] } | undefined;

/** The Failed SOP Sequence (0008,1198) of a STOW-RS answer in DICOM JSON; none when the body is not that. */
function refusedOf(body: string): StoreOutcome['refused'] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const items = ((parsed as Record<string, JsonAttribute> | null)?.['00081198']?.Value ?? []) as Array<Record<string, JsonAttribute>>;
  return items.map((item) => {
    const uid = item['00081155']?.Value?.[0];
    return { sopInstanceUid: typeof uid === 'string' ? uid : '', reason: Number(item['00081197']?.Value?.[0] ?? 0x0110) };
  });
}

/**
 * STOW-RS Store Instances (PS3.18 10.5): POST {base}/studies with the files as one
 * multipart/related body, each file streamed when its part is due. Failures are RetrieveErrors:
 * transient for the network, time-outs and 5xx, permanent for other refusals (409: every
 * instance refused). A 202 answer lists the instances refused.
 */
export async function storeInstances(baseUrl: string, files: string[], options: RetrieveOptions): Promise<StoreOutcome> {
  const boundary = newBoundary();
  const parts = files.map((file) => ({ contentType: 'application/dicom', body: () => createReadStream(file) as AsyncIterable<Uint8Array> }));
  const body = Readable.toWeb(Readable.from(multipartRelated(boundary, parts))) as ReadableStream<Uint8Array>;
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
  let response: Response;
  let answer: string;
  try {
    response = await fetch(`${baseUrl.replace(/\/+$/, '')}/studies`, {
      method: 'POST',
      headers: { 'content-type': multipartContentType('application/dicom', boundary), accept: 'application/dicom+json' },
      body,
      duplex: 'half',
      signal: AbortSignal.any(signals),
    } as RequestInit);
    answer = await response.text();
  } catch (err) {
    throw retrieveFailure(err, baseUrl, options.timeoutMs);
  }
  const refused = refusedOf(answer);
  if (response.status === 409 && refused[0]) {
    throw new RetrieveError('UPSTREAM_FAILURE', `the server refused every instance (HTTP 409); first: ${refused[0].sopInstanceUid} failure reason 0x${refused[0].reason.toString(16).padStart(4, '0')}`, false);
  }
  if (response.status !== 200 && response.status !== 202) throw statusFailure(response.status, response.statusText);
  return { refused: response.status === 202 ? refused : [] };
}
