import { RadbridgeError } from '../domain/errors.js';
import { nativeFrameBytes, type PixelDescription } from './pixel-description.js';

export type Samples = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** A decoded frame: one value per sample, samples of a pixel side by side (RGB interleaved). */
export interface DecodedFrame {
  rows: number;
  columns: number;
  samplesPerPixel: 1 | 3;
  /** MONOCHROME1, MONOCHROME2, RGB or PALETTE COLOR; YBR_FULL is converted to RGB. */
  photometricInterpretation: string;
  samples: Samples;
}

function allocate(d: PixelDescription, count: number): Samples {
  if (d.bitsAllocated <= 8) return d.signed ? new Int8Array(count) : new Uint8Array(count);
  if (d.bitsAllocated === 16) return d.signed ? new Int16Array(count) : new Uint16Array(count);
  return d.signed ? new Int32Array(count) : new Uint32Array(count);
}

const hostLittleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Reads raw sample i (before masking) from native bytes in the given byte order. */
function rawReader(d: PixelDescription, bytes: Uint8Array, littleEndian: boolean, bitOffset: number): (i: number) => number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (d.bitsAllocated) {
    case 1:
      return (i) => {
        const bit = bitOffset + i;
        return ((bytes[bit >> 3] ?? 0) >> (bit & 7)) & 1;
      };
    case 8:
      return (i) => bytes[i] ?? 0;
    case 16:
      return (i) => view.getUint16(i * 2, littleEndian);
    default:
      return (i) => view.getUint32(i * 4, littleEndian);
  }
}

/** Any layout: one sample at a time, through rawReader (1 and 32 bits allocated, planar configuration 1). */
function generalSamples(d: PixelDescription, bytes: Uint8Array, littleEndian: boolean, bitOffset: number): Samples {
  const pixels = d.rows * d.columns;
  const count = pixels * d.samplesPerPixel;
  const out = allocate(d, count);
  const read = rawReader(d, bytes, littleEndian, bitOffset);
  const shift = d.highBit + 1 - d.bitsStored;
  const mask = d.bitsStored >= 32 ? 0xffffffff : 2 ** d.bitsStored - 1;
  const signBit = 2 ** (d.bitsStored - 1);
  for (let i = 0; i < count; i++) {
    const target = d.planarConfiguration === 1 ? (i % pixels) * d.samplesPerPixel + Math.floor(i / pixels) : i;
    const value = Math.floor(read(i) / 2 ** shift) % (mask + 1);
    out[target] = d.signed && value >= signBit ? value - 2 * signBit : value;
  }
  return out;
}

function swapBytes16(raw: Uint16Array): void {
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i] ?? 0;
    raw[i] = ((v & 0xff) << 8) | (v >>> 8);
  }
}

/**
 * Keeps bits highBit-bitsStored+1 .. highBit of each sample, sign-extended when `signBit` is set.
 * Works on the unsigned view of the output: a negative result stored there is its two's complement,
 * which is what the signed view of the same memory reads back.
 */
function maskSamples(raw: Uint8Array | Uint16Array, shift: number, mask: number, signBit: number): void {
  for (let i = 0; i < raw.length; i++) {
    raw[i] = ((((raw[i] ?? 0) >>> shift) & mask) ^ signBit) - signBit;
  }
}

/** 8 or 16 bits allocated, samples of a pixel side by side: a copy, then whole-array integer operations. */
function interleavedSamples(d: PixelDescription, bytes: Uint8Array, littleEndian: boolean): Samples {
  const count = d.rows * d.columns * d.samplesPerPixel;
  const out = allocate(d, count);
  const width = d.bitsAllocated / 8;
  new Uint8Array(out.buffer).set(bytes.subarray(0, count * width));
  const raw = width === 1 ? new Uint8Array(out.buffer) : new Uint16Array(out.buffer);
  if (raw instanceof Uint16Array && littleEndian !== hostLittleEndian) swapBytes16(raw);
  const shift = d.highBit + 1 - d.bitsStored;
  // With every bit stored, the signed or unsigned view of the copied bytes already holds the values.
  if (shift === 0 && d.bitsStored === d.bitsAllocated) return out;
  maskSamples(raw, shift, 2 ** d.bitsStored - 1, d.signed ? 2 ** (d.bitsStored - 1) : 0);
  return out;
}

/**
 * Turns one frame of native pixel data into samples: byte order, Bits Stored and High Bit (masking
 * and sign extension), planar to interleaved, YBR_FULL to RGB. `bitOffset` places 1-bit frames
 * that do not start on a byte boundary.
 */
export function decodeNativeFrame(d: PixelDescription, bytes: Uint8Array, littleEndian: boolean, bitOffset = 0): DecodedFrame {
  if (d.photometricInterpretation === 'YBR_FULL_422') return decodeYbrFull422(d, bytes);
  const needed = d.bitsAllocated === 1 ? Math.ceil((bitOffset + d.rows * d.columns * d.samplesPerPixel) / 8) : nativeFrameBytes(d);
  if (bytes.length < needed) {
    throw new RadbridgeError('DICOM_LENGTH_INCONSISTENT', `frame holds ${bytes.length} bytes; ${d.rows}x${d.columns}x${d.samplesPerPixel} samples at ${d.bitsAllocated} bits need ${needed}`);
  }
  const interleaved = (d.bitsAllocated === 8 || d.bitsAllocated === 16) && (d.samplesPerPixel === 1 || d.planarConfiguration === 0);
  const samples = interleaved ? interleavedSamples(d, bytes, littleEndian) : generalSamples(d, bytes, littleEndian, bitOffset);
  const frame: DecodedFrame = { rows: d.rows, columns: d.columns, samplesPerPixel: d.samplesPerPixel, photometricInterpretation: d.photometricInterpretation, samples };
  if (d.photometricInterpretation !== 'YBR_FULL') return frame;
  if (d.bitsAllocated !== 8) throw new RadbridgeError('TRANSFER_SYNTAX_NOT_SUPPORTED', `YBR_FULL with ${d.bitsAllocated}-bit samples cannot be decoded yet`);
  return ybrFullToRgb(frame);
}

/** PS3.3 C.7.6.3.1.2: YBR_FULL_422 stores Y1 Y2 Cb Cr for each pair of pixels on a row; 8-bit only. */
function decodeYbrFull422(d: PixelDescription, bytes: Uint8Array): DecodedFrame {
  if (d.bitsAllocated !== 8 || d.columns % 2 !== 0) {
    throw new RadbridgeError('TRANSFER_SYNTAX_NOT_SUPPORTED', `YBR_FULL_422 needs 8-bit samples and an even number of columns, not ${d.bitsAllocated} bits and ${d.columns} columns`);
  }
  const pixels = d.rows * d.columns;
  if (bytes.length < pixels * 2) {
    throw new RadbridgeError('DICOM_LENGTH_INCONSISTENT', `frame holds ${bytes.length} bytes; ${d.rows}x${d.columns} YBR_FULL_422 pixels need ${pixels * 2}`);
  }
  const samples = new Uint8Array(pixels * 3);
  for (let pair = 0; pair < pixels / 2; pair++) {
    const [y1 = 0, y2 = 0, cb = 0, cr = 0] = bytes.subarray(pair * 4, pair * 4 + 4);
    samples.set([y1, cb, cr, y2, cb, cr], pair * 6);
  }
  return ybrFullToRgb({ rows: d.rows, columns: d.columns, samplesPerPixel: 3, photometricInterpretation: 'YBR_FULL', samples });
}

/** PS3.3 C.7.6.3.1.2: YBR_FULL to RGB, for 8-bit samples. */
function ybrFullToRgb(frame: DecodedFrame): DecodedFrame {
  const s = frame.samples;
  const clamp = (v: number) => Math.min(255, Math.max(0, Math.round(v)));
  for (let i = 0; i + 2 < s.length; i += 3) {
    const y = s[i] ?? 0;
    const cb = (s[i + 1] ?? 0) - 128;
    const cr = (s[i + 2] ?? 0) - 128;
    s[i] = clamp(y + 1.402 * cr);
    s[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    s[i + 2] = clamp(y + 1.772 * cb);
  }
  return { ...frame, photometricInterpretation: 'RGB' };
}
