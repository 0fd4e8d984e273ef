import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { RadbridgeError, type ErrorCode } from '../domain/errors.js';
import { multipartParameters } from './multipart-related.js';

/** Asks for the instances as stored, in any transfer syntax: the hub never transcodes. */
export const WADO_RS_INSTANCES_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';

/** A failed retrieval; transient ones (network, timeout, 5xx) may succeed when tried again. */
export class RetrieveError extends RadbridgeError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly transient: boolean,
  ) {
    super(code, message);
    this.name = 'RetrieveError';
  }
}

export interface RetrieveOptions {
  timeoutMs: number;
  /** Aborts the retrieval from outside (the hub stopping). */
  signal?: AbortSignal;
}

export interface RetrievedInstances {
  boundary: string;
  /** The multipart/related body, streamed: read it once, part by part. */
  body: Readable;
}

/**
 * WADO-RS Retrieve Study (PS3.18 10.4): GET {base}/studies/{uid}. Resolves once the PACS has
 * answered with a multipart/related body; the timeout covers the whole transfer, body included.
 */
export async function retrieveStudy(baseUrl: string, studyUid: string, options: RetrieveOptions): Promise<RetrievedInstances> {
  return retrieveInstances(baseUrl, `studies/${encodeURIComponent(studyUid)}`, options);
}

/** WADO-RS Retrieve Series (PS3.18 10.4): GET {base}/studies/{uid}/series/{uid}. */
export async function retrieveSeries(baseUrl: string, studyUid: string, seriesUid: string, options: RetrieveOptions): Promise<RetrievedInstances> {
  return retrieveInstances(baseUrl, `studies/${encodeURIComponent(studyUid)}/series/${encodeURIComponent(seriesUid)}`, options);
}

async function retrieveInstances(baseUrl: string, resource: string, options: RetrieveOptions): Promise<RetrievedInstances> {
  const url = `${baseUrl.replace(/\/+$/, '')}/${resource}`;
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: WADO_RS_INSTANCES_ACCEPT }, signal: AbortSignal.any(signals) });
  } catch (err) {
    throw retrieveFailure(err, baseUrl, options.timeoutMs);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw statusFailure(response.status, response.statusText);
  }
  const contentType = response.headers.get('content-type') ?? '';
  let boundary: string;
  try {
    boundary = multipartParameters(contentType).boundary;
  } catch (err) {
    await response.body.cancel();
    const reason = err instanceof Error ? err.message : String(err);
    throw new RetrieveError('UPSTREAM_FAILURE', `the PACS did not answer with multipart/related DICOM: ${reason}`, false);
  }
  return { boundary, body: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>) };
}

export function statusFailure(status: number, statusText: string): RetrieveError {
  if (status === 404) return new RetrieveError('NOT_FOUND', 'study not found on the PACS (HTTP 404)', false);
  const transient = status >= 500 || status === 429 || status === 408;
  return new RetrieveError('UPSTREAM_FAILURE', `the PACS answered HTTP ${status} ${statusText}`.trim(), transient);
}

/** Explains an error thrown while connecting to the PACS or reading its answer; all are transient. */
export function retrieveFailure(err: unknown, baseUrl: string, timeoutMs: number): RetrieveError {
  if (err instanceof RetrieveError) return err;
  const origin = new URL(baseUrl).origin;
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new RetrieveError('UPSTREAM_FAILURE', `the PACS at ${origin} did not send the study within ${timeoutMs} ms`, true);
  }
  if (err instanceof Error && err.name === 'AbortError') return new RetrieveError('UPSTREAM_FAILURE', `retrieval from ${origin} was aborted`, true);
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  const code = cause && 'code' in cause ? String(cause.code) : undefined;
  const reason = code === 'ECONNREFUSED' ? 'connection refused (ECONNREFUSED)' : (cause?.message ?? (err instanceof Error ? err.message : String(err)));
  return new RetrieveError('UPSTREAM_FAILURE', `cannot retrieve from the PACS at ${origin}: ${reason}`, true);
}
