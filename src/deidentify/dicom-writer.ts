import { deflateRawSync } from 'node:zlib';
import { RadbridgeError } from '../domain/errors.js';
import { encodeFilePrefix } from '../dicom/part10.js';
import { tagName, type DicomElement, type DicomItem, type DicomObject } from './dicom-tree.js';

/** Writes a DicomObject as Part 10 bytes in its own transfer syntax; sequences and items get undefined lengths. */

const UNDEFINED = 0xffffffff;
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

class Writer {
  private readonly chunks: Buffer[] = [];
  constructor(
    private readonly explicitVr: boolean,
    private readonly littleEndian: boolean,
  ) {}

  private tag(tag: number): void {
    const b = Buffer.alloc(4);
    if (this.littleEndian) {
      b.writeUInt16LE(tag >>> 16, 0);
      b.writeUInt16LE(tag & 0xffff, 2);
    } else {
      b.writeUInt16BE(tag >>> 16, 0);
      b.writeUInt16BE(tag & 0xffff, 2);
    }
    this.chunks.push(b);
  }

  private u32(value: number): void {
    const b = Buffer.alloc(4);
    if (this.littleEndian) b.writeUInt32LE(value);
    else b.writeUInt32BE(value);
    this.chunks.push(b);
  }

  private header(tag: number, vr: string, length: number): void {
    this.tag(tag);
    if (!this.explicitVr) return this.u32(length);
    this.chunks.push(Buffer.from(vr, 'latin1'));
    if (LONG_VRS.has(vr)) {
      this.chunks.push(Buffer.alloc(2));
      return this.u32(length);
    }
    if (length > 0xffff) throw new RadbridgeError('PROCESSING_FAILURE', `${tagName(tag)} (${vr}) is too long for its VR: ${length} bytes`);
    const b = Buffer.alloc(2);
    if (this.littleEndian) b.writeUInt16LE(length);
    else b.writeUInt16BE(length);
    this.chunks.push(b);
  }

  private delimiter(tag: number): void {
    this.tag(tag);
    this.u32(0);
  }

  element(e: DicomElement): void {
    if (e.kind === 'value') {
      this.header(e.tag, e.vr, e.value.length);
      this.chunks.push(e.value);
    } else if (e.kind === 'fragments') {
      this.header(e.tag, e.vr, UNDEFINED);
      this.chunks.push(e.bytes);
    } else {
      this.header(e.tag, 'SQ', UNDEFINED);
      for (const item of e.items) {
        this.tag(0xfffee000);
        this.u32(UNDEFINED);
        this.elements(item);
        this.delimiter(0xfffee00d);
      }
      this.delimiter(0xfffee0dd);
    }
  }

  elements(item: DicomItem): void {
    for (const e of item) this.element(e);
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export function encodeDataset(item: DicomItem, explicitVr: boolean, littleEndian: boolean): Buffer {
  const w = new Writer(explicitVr, littleEndian);
  w.elements(item);
  return w.bytes();
}

/** Part 10 bytes: a fresh file meta header (the hub's implementation identity) and the data set. */
export function writeDicom(object: DicomObject): Uint8Array {
  const { syntax } = object;
  const body = encodeDataset(object.dataset, syntax.explicitVr, syntax.littleEndian);
  return Buffer.concat([encodeFilePrefix(object.meta), syntax.deflated ? deflateRawSync(body) : body]);
}
