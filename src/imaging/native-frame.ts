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

/**
 * Turns one frame of native pixel data into samples: byte order, Bits Stored and High Bit (masking
 * and sign extension), planar to interleaved, YBR_FULL to RGB. `bitOffset` places 1-bit frames
 * that do not start on a byte boundary.
 */
export function decodeNativeFrame(d: PixelDescription, bytes: Uint8Array, littleEndian: boolean, bitOffset = 0): DecodedFrame {
  const needed = d.bitsAllocated === 1 ? Math.ceil((bitOffset + d.rows * d.columns * d.samplesPerPixel) / 8) : nativeFrameBytes(d);
  if (bytes.length < needed) {
    throw new RadbridgeError('DICOM_LENGTH_INCONSISTENT', `frame holds ${bytes.length} bytes; ${d.rows}x${d.columns}x${d.samplesPerPixel} samples at ${d.bitsAllocated} bits need ${needed}`);
  }
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
  const frame: DecodedFrame = { rows: d.rows, columns: d.columns, samplesPerPixel: d.samplesPerPixel, photometricInterpretation: d.photometricInterpretation, samples: out };
  return d.photometricInterpretation === 'YBR_FULL' ? ybrFullToRgb(frame) : frame;
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
