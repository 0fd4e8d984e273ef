import dcmjs from 'dcmjs';
import { RadbridgeError } from '../domain/errors.js';
import { indexAttributes, unsignedShortAttributes, type IndexKeyword } from './index-attributes.js';

/**
 * A push parser that walks a DICOM data set as its bytes arrive, without holding it in memory.
 * It checks the structure (lengths inside their enclosing items, closed sequences, nesting depth,
 * element size), captures the top-level attributes the index needs and notes where pixel data lies.
 * See docs/adr/0003-streaming-dataset-scanner.md for why this is not dcmjs's reader.
 */

export interface ScanLimits {
  maxElementBytes: number;
  maxSequenceDepth: number;
}

export interface PixelDataLocation {
  /** Offset of the (7FE0,0010) tag from the start of the data set. */
  tagOffset: number;
  valueOffset: number;
  /** undefined for encapsulated (undefined length) pixel data. */
  length: number | undefined;
}

export interface ScanResult {
  attributes: Partial<Record<IndexKeyword, string>>;
  pixelData: PixelDataLocation | undefined;
  bytes: number;
}

interface Container {
  kind: 'sequence' | 'item' | 'fragments';
  /** Absolute end offset for defined lengths. */
  end: number | undefined;
  explicitVr: boolean;
}

const UNDEFINED_LENGTH = 0xffffffff;
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const MAX_CAPTURE_BYTES = 4096;
const PIXEL_DATA = '7FE00010';

interface DictionaryEntry {
  vr?: string;
}
const dictionary = dcmjs.data.DicomMetaDictionary.dictionary as Record<string, DictionaryEntry | undefined>;

function implicitVrOf(tag: string): string {
  if (tag.endsWith('0000')) return 'UL';
  const entry = dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`];
  return entry?.vr ?? 'UN';
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

export class DatasetScanner {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private skip = 0;
  private capture: { tag: string; length: number; vr: string } | undefined;
  private readonly stack: Container[] = [];
  private depth = 0;
  private readonly attributes: Partial<Record<IndexKeyword, string>> = {};
  private pixelData: PixelDataLocation | undefined;
  private utf8 = false;

  constructor(
    private readonly explicitVr: boolean,
    private readonly littleEndian: boolean,
    private readonly limits: ScanLimits,
  ) {}

  push(chunk: Buffer): void {
    let data = chunk;
    if (this.skip > 0 && this.buf.length === 0) {
      const n = Math.min(this.skip, data.length);
      this.skip -= n;
      this.pos += n;
      data = data.subarray(n);
      if (data.length === 0) return;
    }
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    this.run();
  }

  end(): ScanResult {
    this.closeFinishedContainers();
    if (this.skip > 0 || this.capture || this.buf.length > 0) {
      throw new RadbridgeError('DICOM_TRUNCATED', `data set ends inside an element at byte ${this.pos}`);
    }
    if (this.stack.length > 0) {
      throw new RadbridgeError('DICOM_TRUNCATED', `data set ends inside an open sequence (${this.stack.length} level(s) unclosed)`);
    }
    return { attributes: this.attributes, pixelData: this.pixelData, bytes: this.pos };
  }

  private consume(n: number): void {
    this.buf = this.buf.subarray(n);
    this.pos += n;
  }

  private run(): void {
    for (;;) {
      this.closeFinishedContainers();
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.buf.length);
        this.skip -= n;
        this.consume(n);
        if (this.skip > 0) return;
        continue;
      }
      if (this.capture) {
        if (this.buf.length < this.capture.length) return;
        this.storeCapture(this.capture.tag, this.capture.vr, this.buf.subarray(0, this.capture.length));
        this.consume(this.capture.length);
        this.capture = undefined;
        continue;
      }
      if (!this.readElementHeader()) return;
    }
  }

  private closeFinishedContainers(): void {
    let top = this.stack[this.stack.length - 1];
    while (top && top.end !== undefined && top.end === this.pos) {
      this.pop();
      top = this.stack[this.stack.length - 1];
    }
  }

  private pop(): void {
    const c = this.stack.pop();
    if (c?.kind === 'sequence') this.depth--;
  }

  private get top(): Container | undefined {
    return this.stack[this.stack.length - 1];
  }

  private get currentExplicitVr(): boolean {
    return this.top?.explicitVr ?? this.explicitVr;
  }

  private u16(at: number): number {
    return this.littleEndian ? this.buf.readUInt16LE(at) : this.buf.readUInt16BE(at);
  }

  private u32(at: number): number {
    return this.littleEndian ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }

  /** Reads one element header if enough bytes are buffered; returns false to wait for more. */
  private readElementHeader(): boolean {
    if (this.buf.length < 8) return false;
    const group = this.u16(0);
    const element = this.u16(2);
    const tag = hex4(group) + hex4(element);
    if (group === 0xfffe) {
      this.handleItemTag(element, this.u32(4));
      return true;
    }
    let vr: string;
    let length: number;
    let headerLength: number;
    if (this.currentExplicitVr) {
      vr = this.buf.toString('latin1', 4, 6);
      if (!/^[A-Z]{2}$/.test(vr)) {
        throw new RadbridgeError('DICOM_MALFORMED', `invalid VR bytes for element (${tag.slice(0, 4)},${tag.slice(4)}) at byte ${this.pos}`);
      }
      if (LONG_VRS.has(vr)) {
        if (this.buf.length < 12) return false;
        length = this.u32(8);
        headerLength = 12;
      } else {
        length = this.u16(6);
        headerLength = 8;
      }
    } else {
      vr = implicitVrOf(tag);
      length = this.u32(4);
      headerLength = 8;
    }
    this.checkFitsInContainer(headerLength, tag);
    const valueOffset = this.pos + headerLength;
    const topLevel = this.stack.length === 0;
    if (length === UNDEFINED_LENGTH) {
      this.consume(headerLength);
      if (tag === PIXEL_DATA && topLevel) {
        this.pixelData = { tagOffset: valueOffset - headerLength, valueOffset, length: undefined };
        this.stack.push({ kind: 'fragments', end: undefined, explicitVr: this.currentExplicitVr });
      } else {
        this.pushSequence(undefined, vr === 'UN' ? false : this.currentExplicitVr, tag);
      }
      return true;
    }
    this.checkElementLength(length, tag);
    this.checkFitsInContainer(headerLength + length, tag);
    this.consume(headerLength);
    if (vr === 'SQ') {
      this.pushSequence(valueOffset + length, this.currentExplicitVr, tag);
    } else if (topLevel && tag === PIXEL_DATA) {
      this.pixelData = { tagOffset: valueOffset - headerLength, valueOffset, length };
      this.skip = length;
    } else if (topLevel && tag in indexAttributes && length <= MAX_CAPTURE_BYTES) {
      this.capture = { tag, length, vr };
    } else {
      this.skip = length;
    }
    return true;
  }

  private handleItemTag(element: number, length: number): void {
    const top = this.top;
    if (element === 0xe000) {
      if (!top || top.kind === 'item') {
        throw new RadbridgeError('DICOM_MALFORMED', `item tag outside a sequence at byte ${this.pos}`);
      }
      this.checkFitsInContainer(8, 'FFFEE000');
      this.consume(8);
      if (top.kind === 'fragments') {
        if (length === UNDEFINED_LENGTH) {
          throw new RadbridgeError('DICOM_MALFORMED', `pixel data fragment with undefined length at byte ${this.pos - 8}`);
        }
        this.checkElementLength(length, 'FFFEE000');
        this.checkFitsInContainer(length, 'FFFEE000');
        this.skip = length;
        return;
      }
      if (length !== UNDEFINED_LENGTH) {
        this.checkFitsInContainer(length, 'FFFEE000');
      }
      this.stack.push({ kind: 'item', end: length === UNDEFINED_LENGTH ? undefined : this.pos + length, explicitVr: top.explicitVr });
      return;
    }
    const closes = element === 0xe00d ? 'item' : element === 0xe0dd ? 'sequence' : undefined;
    const matches = closes === 'item' ? top?.kind === 'item' : top?.kind === 'sequence' || top?.kind === 'fragments';
    if (!closes || !top || !matches || top.end !== undefined) {
      throw new RadbridgeError('DICOM_MALFORMED', `unexpected delimiter (FFFE,${hex4(element)}) at byte ${this.pos}`);
    }
    this.consume(8);
    this.pop();
  }

  private pushSequence(end: number | undefined, explicitVr: boolean, tag: string): void {
    this.depth++;
    if (this.depth > this.limits.maxSequenceDepth) {
      throw new RadbridgeError(
        'DICOM_LIMIT_EXCEEDED',
        `sequence nesting deeper than ${this.limits.maxSequenceDepth} at (${tag.slice(0, 4)},${tag.slice(4)})`,
      );
    }
    this.stack.push({ kind: 'sequence', end, explicitVr });
  }

  private checkElementLength(length: number, tag: string): void {
    if (length > this.limits.maxElementBytes) {
      throw new RadbridgeError(
        'DICOM_LIMIT_EXCEEDED',
        `element (${tag.slice(0, 4)},${tag.slice(4)}) is ${length} bytes, above the limit of ${this.limits.maxElementBytes}`,
      );
    }
  }

  private checkFitsInContainer(length: number, tag: string): void {
    const end = this.top?.end;
    if (end !== undefined && this.pos + length > end) {
      throw new RadbridgeError(
        'DICOM_LENGTH_INCONSISTENT',
        `element (${tag.slice(0, 4)},${tag.slice(4)}) at byte ${this.pos} runs ${this.pos + length - end} byte(s) past its enclosing item`,
      );
    }
  }

  private storeCapture(tag: string, vr: string, value: Buffer): void {
    const keyword = indexAttributes[tag as keyof typeof indexAttributes];
    let text: string;
    if (unsignedShortAttributes.has(tag) && (vr === 'US' || vr === 'UN') && value.length >= 2) {
      text = String(this.littleEndian ? value.readUInt16LE(0) : value.readUInt16BE(0));
    } else {
      text = value
        .toString(this.utf8 ? 'utf8' : 'latin1')
        .replace(/[\0 ]+$/, '')
        .replace(/^ +/, '');
    }
    if (keyword === 'SpecificCharacterSet') this.utf8 = /ISO_IR 192/.test(text);
    this.attributes[keyword] = text;
  }
}
