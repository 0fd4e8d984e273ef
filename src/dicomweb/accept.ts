import { EXPLICIT_VR_LITTLE_ENDIAN, type TransferSyntax } from '../dicom/transfer-syntaxes.js';
import { RadbridgeError } from '../domain/errors.js';

/** Accept header negotiation for DICOMweb reads (PS3.18 8.7). Nothing is transcoded yet: only stored forms are offered. */

export interface MediaRange {
  type: string;
  /** Parameter names lower-case, values unquoted. */
  params: Map<string, string>;
}

/** The media ranges of an Accept header, leaving out those with q=0. An absent or empty header gives []. */
export function parseAccept(header: string | undefined): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const item of (header ?? '').match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
    const [type = '', ...rest] = item.match(/(?:[^;"]|"[^"]*")+/g) ?? [];
    const params = new Map<string, string>();
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
    }
    if (type.trim() !== '' && !/^0(\.0*)?$/.test(params.get('q') ?? '')) {
      ranges.push({ type: type.trim().toLowerCase(), params });
    }
  }
  return ranges;
}

function anything(ranges: MediaRange[]): boolean {
  return ranges.length === 0 || ranges.some((r) => r.type === '*/*' || r.type === 'multipart/*');
}

/** For QIDO-RS: whether the client takes application/dicom+json. */
export function acceptsDicomJson(header: string | undefined): boolean {
  const ranges = parseAccept(header);
  return ranges.length === 0 || ranges.some((r) => ['*/*', 'application/*', 'application/dicom+json', 'application/json'].includes(r.type));
}

/** For WADO-RS instances: throws NOT_ACCEPTABLE unless the client takes application/dicom in every stored transfer syntax. */
export function negotiateStoredDicom(header: string | undefined, storedSyntaxes: Set<string>): void {
  const ranges = parseAccept(header);
  if (anything(ranges)) return;
  const ok = ranges.some((r) => {
    if (r.type !== 'multipart/related') return false;
    const type = r.params.get('type')?.toLowerCase();
    const ts = r.params.get('transfer-syntax');
    return (type === undefined || type === 'application/dicom') && (ts === undefined || ts === '*' || [...storedSyntaxes].every((s) => s === ts));
  });
  if (!ok) {
    throw new RadbridgeError(
      'NOT_ACCEPTABLE',
      `can only send multipart/related; type="application/dicom" in the stored transfer syntax (${[...storedSyntaxes].join(', ')}): transcoding is not available`,
    );
  }
}

export interface FrameRepresentation {
  /** The media type of each part and of the multipart's type parameter. */
  mediaType: string;
  /** The transfer-syntax parameter of each part. */
  transferSyntaxUid: string;
}

/**
 * For WADO-RS frames. Native frames go as application/octet-stream in little endian
 * (Explicit VR Little Endian); encapsulated frames as stored, typed with the syntax's frame
 * media type or, when the client asks for it with transfer-syntax=* or the stored syntax,
 * as application/octet-stream.
 */
export function negotiateFrames(header: string | undefined, stored: TransferSyntax): FrameRepresentation {
  const ranges = parseAccept(header);
  const native = !stored.encapsulated;
  const nativeOffer = { mediaType: 'application/octet-stream', transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN };
  const compressedOffer = { mediaType: stored.frameMediaType ?? 'application/octet-stream', transferSyntaxUid: stored.uid };
  const offer = native ? nativeOffer : compressedOffer;
  if (anything(ranges)) return offer;
  for (const r of ranges) {
    if (r.type !== 'multipart/related') continue;
    const type = r.params.get('type')?.toLowerCase();
    const ts = r.params.get('transfer-syntax');
    if (native && (type === undefined || type === 'application/octet-stream') && (ts === undefined || ts === '*' || ts === stored.uid || ts === EXPLICIT_VR_LITTLE_ENDIAN)) {
      return nativeOffer;
    }
    if (!native && (type === undefined || type === compressedOffer.mediaType) && (ts === undefined || ts === '*' || ts === stored.uid)) return compressedOffer;
    if (!native && type === 'application/octet-stream' && (ts === '*' || ts === stored.uid)) return { mediaType: type, transferSyntaxUid: stored.uid };
  }
  throw new RadbridgeError(
    'NOT_ACCEPTABLE',
    `can only send these frames as multipart/related; type="${offer.mediaType}"; transfer-syntax=${offer.transferSyntaxUid}: transcoding is not available`,
  );
}
