import StreamSearch from 'streamsearch';
import { RadbridgeError, asRadbridgeError } from '../domain/errors.js';

/** Where a part's body goes. write() resolves when the sink can take more; end() when it is done with the part. */
export interface PartSink {
  write(data: Buffer): Promise<void>;
  end(): Promise<void>;
  /** The body ended or failed inside this part: nothing of it may be kept. */
  abort(reason: RadbridgeError): void;
}

export type PartHeaders = Map<string, string>;

const MAX_PART_HEADER_BYTES = 16 * 1024;

/** Reads the boundary and type parameters of a multipart/related Content-Type. */
export function multipartParameters(contentType: string | undefined): { boundary: string; type: string | undefined } {
  const value = contentType ?? '';
  if (!/^multipart\/related\b/i.test(value)) {
    throw new RadbridgeError('UNSUPPORTED_MEDIA_TYPE', `expected multipart/related, got ${value || 'no Content-Type'}`);
  }
  const param = (name: string) => new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(value);
  const b = param('boundary');
  const boundary = b?.[1] ?? b?.[2];
  if (!boundary) throw new RadbridgeError('BAD_REQUEST', 'multipart/related Content-Type without a boundary');
  const t = param('type');
  return { boundary, type: (t?.[1] ?? t?.[2])?.toLowerCase() };
}

type Event = { kind: 'data'; data: Buffer } | { kind: 'boundary' };

/**
 * Streams a multipart/related body (RFC 2387) part by part into sinks, with back-pressure and
 * without holding a part in memory. Returns the number of parts read.
 */
export async function readMultipartRelated(
  body: AsyncIterable<Buffer>,
  boundary: string,
  openPart: (headers: PartHeaders) => PartSink,
): Promise<number> {
  const events: Event[] = [];
  const search = new StreamSearch(Buffer.from(`\r\n--${boundary}`, 'latin1'), (isMatch, data, start, end, isDataSafe) => {
    if (data && end > start) events.push({ kind: 'data', data: isDataSafe ? data.subarray(start, end) : Buffer.from(data.subarray(start, end)) });
    if (isMatch) events.push({ kind: 'boundary' });
  });
  const at: { state: 'preamble' | 'after-boundary' | 'body' | 'done' } = { state: 'preamble' };
  let pending = Buffer.alloc(0);
  let sink: PartSink | undefined;
  let parts = 0;

  const handleAfterBoundary = async (): Promise<void> => {
    if (pending.length < 2) return;
    if (pending.subarray(0, 2).toString('latin1') === '--') {
      at.state = 'done';
      return;
    }
    const headerEnd = pending.indexOf('\r\n\r\n');
    if (headerEnd < 0) {
      if (pending.length > MAX_PART_HEADER_BYTES) throw new RadbridgeError('BAD_REQUEST', 'multipart part headers exceed 16 KiB');
      return;
    }
    const headers = parseHeaders(pending.subarray(0, headerEnd).toString('latin1'));
    const rest = pending.subarray(headerEnd + 4);
    pending = Buffer.alloc(0);
    sink = openPart(headers);
    parts++;
    at.state = 'body';
    if (rest.length > 0) await sink.write(rest);
  };

  const handle = async (event: Event): Promise<void> => {
    if (at.state === 'done') return;
    if (event.kind === 'boundary') {
      if (at.state === 'body') await sink?.end();
      else if (at.state === 'after-boundary') throw new RadbridgeError('BAD_REQUEST', 'multipart part without headers');
      sink = undefined;
      at.state = 'after-boundary';
      pending = Buffer.alloc(0);
      return;
    }
    if (at.state === 'preamble') return;
    if (at.state === 'body') {
      await sink?.write(event.data);
      return;
    }
    pending = Buffer.concat([pending, event.data]);
    await handleAfterBoundary();
  };

  try {
    // The first boundary may open the body without a preceding CRLF.
    search.push(Buffer.from('\r\n', 'latin1'));
    for await (const chunk of body) {
      search.push(chunk);
      for (const event of events.splice(0)) await handle(event);
    }
    if (at.state !== 'done') {
      throw new RadbridgeError('BAD_REQUEST', parts === 0 ? 'body holds no multipart/related part' : 'multipart body ends without its closing boundary');
    }
    return parts;
  } catch (err) {
    if (at.state === 'body') sink?.abort(asRadbridgeError(err));
    throw err;
  } finally {
    search.destroy();
  }
}

function parseHeaders(text: string): PartHeaders {
  const headers: PartHeaders = new Map();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}
