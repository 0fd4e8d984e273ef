import { inflateRawSync } from 'node:zlib';
import { RadbridgeError } from '../domain/errors.js';
import { parseFilePrefix } from '../dicom/part10.js';
import { transferSyntax, type TransferSyntax } from '../dicom/transfer-syntaxes.js';
import { PIXEL_DATA, dictionaryVr, tagName, type DicomElement, type DicomItem, type DicomObject } from './dicom-tree.js';

/** Reads a whole Part 10 object into a DicomObject; every structural fault is a coded error. */

const MAX_DEPTH = 64;
const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

class Reader {
  pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly littleEndian: boolean,
  ) {}

  get length(): number {
    return this.buf.length;
  }

  need(n: number, limit: number | undefined, what: string): void {
    if (limit !== undefined && this.pos + n > limit) {
      throw new RadbridgeError('DICOM_LENGTH_INCONSISTENT', `${what} at byte ${this.pos} runs past its enclosing item or sequence`);
    }
    if (this.pos + n > this.buf.length) throw new RadbridgeError('DICOM_TRUNCATED', `the object ends inside ${what} at byte ${this.pos}`);
  }

  u16(): number {
    const v = this.littleEndian ? this.buf.readUInt16LE(this.pos) : this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    const v = this.littleEndian ? this.buf.readUInt32LE(this.pos) : this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  tag(): number {
    const group = this.u16();
    return ((group << 16) | this.u16()) >>> 0;
  }

  bytes(n: number): Buffer {
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** The bytes from `start` to the current position. */
  bytesFrom(start: number): Buffer {
    return this.buf.subarray(start, this.pos);
  }
}

interface Header {
  tag: number;
  vr: string;
  length: number;
}

function readHeader(r: Reader, explicitVr: boolean, limit: number | undefined): Header {
  r.need(8, limit, 'an element header');
  const tag = r.tag();
  if (tag >>> 16 === 0xfffe) return { tag, vr: '', length: r.u32() };
  if (!explicitVr) return { tag, vr: dictionaryVr(tag), length: r.u32() };
  const vr = r.bytes(2).toString('latin1');
  if (!/^[A-Z]{2}$/.test(vr)) throw new RadbridgeError('DICOM_MALFORMED', `element ${tagName(tag)} has an invalid VR at byte ${r.pos - 2}`);
  if (!LONG_VRS.has(vr)) return { tag, vr, length: r.u16() };
  r.need(4, limit, `the header of ${tagName(tag)}`);
  r.pos += 2;
  return { tag, vr, length: r.u32() };
}

function readFragments(r: Reader, start: number): Buffer {
  for (;;) {
    r.need(8, undefined, 'encapsulated pixel data');
    const tag = r.tag();
    const length = r.u32();
    if (tag === SEQUENCE_END) return r.bytesFrom(start);
    if (tag !== ITEM || length === UNDEFINED) throw new RadbridgeError('DICOM_MALFORMED', `encapsulated pixel data holds ${tagName(tag)} where a fragment item belongs`);
    r.need(length, undefined, 'a pixel data fragment');
    r.pos += length;
  }
}

function readItems(r: Reader, explicitVr: boolean, end: number | undefined, depth: number, tag: number): DicomItem[] {
  if (depth > MAX_DEPTH) throw new RadbridgeError('DICOM_LIMIT_EXCEEDED', `sequences nested deeper than ${MAX_DEPTH} levels at ${tagName(tag)}`);
  const items: DicomItem[] = [];
  for (;;) {
    if (end !== undefined && r.pos === end) return items;
    const header = readHeader(r, explicitVr, end);
    if (header.tag === SEQUENCE_END && end === undefined) return items;
    if (header.tag !== ITEM) throw new RadbridgeError('DICOM_MALFORMED', `sequence ${tagName(tag)} holds ${tagName(header.tag)} where an item belongs`);
    if (header.length === UNDEFINED) {
      items.push(readElements(r, explicitVr, undefined, depth));
    } else {
      r.need(header.length, end, `an item of ${tagName(tag)}`);
      items.push(readElements(r, explicitVr, r.pos + header.length, depth));
    }
  }
}

function readElement(r: Reader, header: Header, explicitVr: boolean, limit: number | undefined, depth: number): DicomElement {
  const { tag, vr, length } = header;
  if (length === UNDEFINED) {
    if (tag === PIXEL_DATA) return { kind: 'fragments', tag, vr, bytes: readFragments(r, r.pos) };
    if (vr !== 'SQ' && vr !== 'UN') throw new RadbridgeError('DICOM_MALFORMED', `${tagName(tag)} (${vr}) has undefined length`);
    // An undefined-length UN is a sequence encoded in Implicit VR Little Endian (PS3.5 6.2.2).
    return { kind: 'sequence', tag, vr: 'SQ', items: readItems(r, explicitVr && vr === 'SQ', undefined, depth + 1, tag) };
  }
  r.need(length, limit, `the value of ${tagName(tag)}`);
  if (vr === 'SQ') return { kind: 'sequence', tag, vr, items: readItems(r, explicitVr, r.pos + length, depth + 1, tag) };
  return { kind: 'value', tag, vr, value: r.bytes(length) };
}

function readElements(r: Reader, explicitVr: boolean, end: number | undefined, depth: number): DicomItem {
  const elements: DicomItem = [];
  for (;;) {
    if (end !== undefined ? r.pos === end : r.pos === r.length && depth === 0) return elements;
    const header = readHeader(r, explicitVr, end);
    if (header.tag === ITEM_END && end === undefined && depth > 0) return elements;
    if (header.tag >>> 16 === 0xfffe) throw new RadbridgeError('DICOM_MALFORMED', `a stray delimiter ${tagName(header.tag)} at byte ${r.pos - 8}`);
    elements.push(readElement(r, header, explicitVr, end, depth));
  }
}

function inflate(bytes: Buffer): Buffer {
  try {
    return inflateRawSync(bytes);
  } catch (err) {
    throw new RadbridgeError('DICOM_MALFORMED', `the deflated data set cannot be inflated: ${(err as Error).message}`);
  }
}

/** Parses Part 10 bytes: the file meta header and the whole data set in its transfer syntax. */
export function readDicom(bytes: Uint8Array): DicomObject {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = parseFilePrefix(buf, true);
  if (!prefix) throw new RadbridgeError('DICOM_NOT_PART10', 'no file meta header');
  const syntax: TransferSyntax | undefined = transferSyntax(prefix.meta.transferSyntaxUid);
  if (!syntax) throw new RadbridgeError('TRANSFER_SYNTAX_NOT_SUPPORTED', `transfer syntax ${prefix.meta.transferSyntaxUid} is not supported`);
  const body = buf.subarray(prefix.length);
  const r = new Reader(syntax.deflated ? inflate(body) : body, syntax.littleEndian);
  return { meta: prefix.meta, syntax, dataset: readElements(r, syntax.explicitVr, undefined, 0) };
}
