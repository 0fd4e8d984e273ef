import { RadbridgeError } from '../domain/errors.js';

/** The hub's DICOM implementation identity, written into every file meta header. */
export const IMPLEMENTATION_CLASS_UID = '2.25.225435237508039377808526948170280452214';
export const IMPLEMENTATION_VERSION_NAME = 'RADBRIDGE_010';

export const PREAMBLE_LENGTH = 128;
const MAX_META_BYTES = 64 * 1024;

export interface FileMeta {
  mediaStorageSopClassUid: string;
  mediaStorageSopInstanceUid: string;
  transferSyntaxUid: string;
  sourceAeTitle?: string;
}

function element(tag: number, vr: string, value: Buffer): Buffer {
  const padded = value.length % 2 === 0 ? value : Buffer.concat([value, Buffer.from([vr === 'UI' ? 0 : 0x20])]);
  const long = vr === 'OB';
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(0x0002, 0);
  header.writeUInt16LE(tag, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(padded.length, 8);
  else header.writeUInt16LE(padded.length, 6);
  return Buffer.concat([header, padded]);
}

/** A zeroed preamble, "DICM" and a strict file meta information group. */
export function encodeFilePrefix(meta: FileMeta): Buffer {
  const body = Buffer.concat([
    element(0x0001, 'OB', Buffer.from([0, 1])),
    element(0x0002, 'UI', Buffer.from(meta.mediaStorageSopClassUid, 'latin1')),
    element(0x0003, 'UI', Buffer.from(meta.mediaStorageSopInstanceUid, 'latin1')),
    element(0x0010, 'UI', Buffer.from(meta.transferSyntaxUid, 'latin1')),
    element(0x0012, 'UI', Buffer.from(IMPLEMENTATION_CLASS_UID, 'latin1')),
    element(0x0013, 'SH', Buffer.from(IMPLEMENTATION_VERSION_NAME, 'latin1')),
    ...(meta.sourceAeTitle ? [element(0x0016, 'AE', Buffer.from(meta.sourceAeTitle, 'latin1'))] : []),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.alloc(PREAMBLE_LENGTH), Buffer.from('DICM', 'latin1'), element(0x0000, 'UL', groupLength), body]);
}

export interface ParsedPrefix {
  meta: FileMeta;
  /** Bytes of the preamble and meta group; the data set starts here. */
  length: number;
}

function uid(value: Buffer): string {
  return value.toString('latin1').replace(/[\0 ]+$/, '');
}

/**
 * Parses the preamble and file meta group at the start of a Part 10 stream. Returns undefined when
 * more bytes are needed; throws when the bytes cannot be a Part 10 object.
 */
export function parseFilePrefix(buf: Buffer, final: boolean): ParsedPrefix | undefined {
  if (buf.length < PREAMBLE_LENGTH + 4) {
    if (final) throw new RadbridgeError('DICOM_NOT_PART10', `only ${buf.length} bytes: too short for a DICOM preamble and "DICM" prefix`);
    return undefined;
  }
  if (buf.toString('latin1', PREAMBLE_LENGTH, PREAMBLE_LENGTH + 4) !== 'DICM') {
    throw new RadbridgeError('DICOM_NOT_PART10', 'no "DICM" prefix after the 128-byte preamble');
  }
  const values = new Map<number, Buffer>();
  let pos = PREAMBLE_LENGTH + 4;
  for (;;) {
    if (pos > MAX_META_BYTES) throw new RadbridgeError('DICOM_LIMIT_EXCEEDED', `file meta header longer than ${MAX_META_BYTES} bytes`);
    if (buf.length < pos + 8) {
      if (final) break;
      return undefined;
    }
    if (buf.readUInt16LE(pos) !== 0x0002) break;
    const tag = buf.readUInt16LE(pos + 2);
    const vr = buf.toString('latin1', pos + 4, pos + 6);
    const long = ['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR'].includes(vr);
    if (long && buf.length < pos + 12) {
      if (final) throw new RadbridgeError('DICOM_TRUNCATED', 'file meta header is truncated');
      return undefined;
    }
    const headerLength = long ? 12 : 8;
    const length = long ? buf.readUInt32LE(pos + 8) : buf.readUInt16LE(pos + 6);
    if (length > MAX_META_BYTES) throw new RadbridgeError('DICOM_LIMIT_EXCEEDED', `file meta element (0002,${tag.toString(16)}) is ${length} bytes`);
    if (buf.length < pos + headerLength + length) {
      if (final) throw new RadbridgeError('DICOM_TRUNCATED', 'file meta header is truncated');
      return undefined;
    }
    values.set(tag, buf.subarray(pos + headerLength, pos + headerLength + length));
    pos += headerLength + length;
  }
  const get = (tag: number, name: string): string => {
    const v = values.get(tag);
    if (!v) throw new RadbridgeError('DICOM_NOT_PART10', `file meta header lacks ${name} (0002,${tag.toString(16).padStart(4, '0')})`);
    return uid(v);
  };
  const source = values.get(0x0016);
  return {
    meta: {
      mediaStorageSopClassUid: get(0x0002, 'MediaStorageSOPClassUID'),
      mediaStorageSopInstanceUid: get(0x0003, 'MediaStorageSOPInstanceUID'),
      transferSyntaxUid: get(0x0010, 'TransferSyntaxUID'),
      ...(source ? { sourceAeTitle: uid(source) } : {}),
    },
    length: pos,
  };
}
