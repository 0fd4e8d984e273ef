import { classifyHeaders } from '../classify/classify-headers.js';
import type { AttributeDict } from './attribute-names.js';
import type { SeriesSubject } from './predicate-evaluation.js';

/** A series as the rules see it, built from the headers of its instances (stored, or files on disk for the tester). */

const SERIES_UID = '0020000E';

export interface SubjectOptions {
  senderAeTitle?: string | undefined;
  at: Date;
  context: Record<string, unknown>;
}

export function seriesUidOf(header: AttributeDict): string | undefined {
  const uid = header[SERIES_UID]?.Value?.[0];
  return typeof uid === 'string' ? uid : undefined;
}

/** Classification reads headers only: routing fires the moment a series completes and does not decode pixels. */
export function subjectFromHeaders(headers: readonly AttributeDict[], o: SubjectOptions): SeriesSubject {
  const first = headers[0] ?? {};
  return {
    seriesUid: seriesUidOf(first),
    attributes: first,
    classification: classifyHeaders(headers),
    sender: { aeTitle: o.senderAeTitle },
    at: o.at,
    context: o.context,
  };
}
