import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { multipartContentType, multipartRelated, newBoundary } from './multipart-writer.js';
import { retrieveFailure, statusFailure, type RetrieveOptions } from './wado-rs-client.js';

/**
 * STOW-RS Store Instances (PS3.18 10.5): POST {base}/studies with the files as one
 * multipart/related body, each file streamed when its part is due. Failures are RetrieveErrors:
 * transient for the network, time-outs and 5xx, permanent for other refusals.
 */
export async function storeInstances(baseUrl: string, files: string[], options: RetrieveOptions): Promise<void> {
  const boundary = newBoundary();
  const parts = files.map((file) => ({ contentType: 'application/dicom', body: () => createReadStream(file) as AsyncIterable<Uint8Array> }));
  const body = Readable.toWeb(Readable.from(multipartRelated(boundary, parts))) as ReadableStream<Uint8Array>;
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
  let response: Response;
  try {
    response = await fetch(`${baseUrl.replace(/\/+$/, '')}/studies`, {
      method: 'POST',
      headers: { 'content-type': multipartContentType('application/dicom', boundary), accept: 'application/dicom+json' },
      body,
      duplex: 'half',
      signal: AbortSignal.any(signals),
    } as RequestInit);
    await response.arrayBuffer();
  } catch (err) {
    throw retrieveFailure(err, baseUrl, options.timeoutMs);
  }
  // 202: some instances were refused; the ones stored are enough for the node to run on.
  if (response.status !== 200 && response.status !== 202) throw statusFailure(response.status, response.statusText);
}
