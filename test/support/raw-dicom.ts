import { encodeFilePrefix } from '../../src/dicom/part10.js';
import { uidFrom } from './synthetic-ct.js';

/** Hand-built Explicit VR Little Endian bytes, for objects no toolkit would write: bad input on purpose. */

const LONG = new Set(['OB', 'OW', 'SQ', 'UN', 'UT']);

export function element(tag: number, vr: string, value: Buffer, declaredLength?: number): Buffer {
  const long = LONG.has(vr);
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(tag >>> 16, 0);
  header.writeUInt16LE(tag & 0xffff, 2);
  header.write(vr, 4, 'latin1');
  const length = declaredLength ?? value.length;
  if (long) header.writeUInt32LE(length, 8);
  else header.writeUInt16LE(length, 6);
  return Buffer.concat([header, value]);
}

export function text(tag: number, vr: string, value: string): Buffer {
  const v = Buffer.from(value, 'latin1');
  return element(tag, vr, v.length % 2 ? Buffer.concat([v, Buffer.from([vr === 'UI' ? 0 : 0x20])]) : v);
}

export function us(tag: number, value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value);
  return element(tag, 'US', b);
}

function itemTag(element: number, length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(0xfffe, 0);
  b.writeUInt16LE(element, 2);
  b.writeUInt32LE(length, 4);
  return b;
}

/** A sequence of undefined length holding one item of undefined length with `content`. */
export function sequence(tag: number, content: Buffer): Buffer {
  return Buffer.concat([element(tag, 'SQ', Buffer.alloc(0), 0xffffffff), itemTag(0xe000, 0xffffffff), content, itemTag(0xe00d, 0), itemTag(0xe0dd, 0)]);
}

/** Sequences nested `depth` levels deep. */
export function nested(depth: number): Buffer {
  let inner = text(0x00080100, 'SH', 'X');
  for (let i = 0; i < depth; i++) inner = sequence(0x0040a730, inner);
  return inner;
}

export interface RawObject {
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  seriesUid: string;
  dataset: Buffer;
}

/** A small valid Secondary Capture-like object; `body` is appended after the identifying attributes. */
export function rawObject(seed: string, body: Buffer = Buffer.alloc(0), opts: { studyUid?: string; seriesUid?: string } = {}): RawObject {
  const sopClassUid = '1.2.840.10008.5.1.4.1.1.7';
  const sopInstanceUid = uidFrom(`${seed}/sop`);
  const studyUid = opts.studyUid ?? uidFrom(`${seed}/study`);
  const seriesUid = opts.seriesUid ?? uidFrom(`${seed}/series`);
  const dataset = Buffer.concat([
    text(0x00080016, 'UI', sopClassUid),
    text(0x00080018, 'UI', sopInstanceUid),
    text(0x00080060, 'CS', 'OT'),
    text(0x00100010, 'PN', 'RAW^TEST'),
    text(0x00100020, 'LO', 'RAW-1'),
    text(0x0020000d, 'UI', studyUid),
    text(0x0020000e, 'UI', seriesUid),
    body,
  ]);
  return { sopClassUid, sopInstanceUid, studyUid, seriesUid, dataset };
}

export function part10(o: RawObject): Buffer {
  return Buffer.concat([
    encodeFilePrefix({ mediaStorageSopClassUid: o.sopClassUid, mediaStorageSopInstanceUid: o.sopInstanceUid, transferSyntaxUid: '1.2.840.10008.1.2.1' }),
    o.dataset,
  ]);
}

/** 8-bit pixel data of rows x columns, declared with `declaredLength` when given. */
export function pixels(rows: number, columns: number, declaredLength?: number): Buffer {
  return Buffer.concat([
    us(0x00280002, 1),
    text(0x00280004, 'CS', 'MONOCHROME2'),
    us(0x00280010, rows),
    us(0x00280011, columns),
    us(0x00280100, 8),
    us(0x00280101, 8),
    us(0x00280102, 7),
    us(0x00280103, 0),
    element(0x7fe00010, 'OB', Buffer.alloc(rows * columns + ((rows * columns) % 2), 0x55), declaredLength),
  ]);
}
