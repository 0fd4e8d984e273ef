import { randomUUID } from 'node:crypto';

/** Writes multipart/related bodies (RFC 2387) part by part, pulling each part's body only when it is due. */

export interface OutgoingPart {
  contentType: string;
  /** Called when the part is written, so that no part's source is opened early. */
  body: () => AsyncIterable<Uint8Array>;
}

export function newBoundary(): string {
  return `radbridge-${randomUUID()}`;
}

export function multipartContentType(type: string, boundary: string): string {
  return `multipart/related; type="${type}"; boundary=${boundary}`;
}

export async function* multipartRelated(boundary: string, parts: Iterable<OutgoingPart> | AsyncIterable<OutgoingPart>): AsyncGenerator<Uint8Array> {
  for await (const part of parts) {
    yield Buffer.from(`--${boundary}\r\nContent-Type: ${part.contentType}\r\n\r\n`, 'latin1');
    yield* part.body();
    yield Buffer.from('\r\n', 'latin1');
  }
  yield Buffer.from(`--${boundary}--\r\n`, 'latin1');
}
