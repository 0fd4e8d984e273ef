import dcmjs from 'dcmjs';
import { RadbridgeError } from '../domain/errors.js';
import { encapsulatedFrames } from '../dicom/pixel-frames.js';
import { transferSyntax } from '../dicom/transfer-syntaxes.js';
import { decompressFrame, loadCodecs } from './compressed-frame.js';
import { decodeNativeFrame, type DecodedFrame } from './native-frame.js';
import { pixelDescription, storedSamplesPerPixel, text, type JsonDict, type PixelDescription } from './pixel-description.js';

export interface DecodedInstance {
  /** The data set as dcmjs reads it (DICOM JSON), for the attributes callers need besides pixels. */
  dataset: JsonDict;
  description: PixelDescription;
  transferSyntaxUid: string;
  frames: DecodedFrame[];
}

function bytesOf(value: unknown): Uint8Array {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new RadbridgeError('DICOM_MALFORMED', 'pixel data value is not binary');
}

/** Native pixel data: frames follow each other at a fixed size (in bits, for 1-bit data). */
function nativeFrames(d: PixelDescription, values: unknown[], littleEndian: boolean): DecodedFrame[] {
  const all = values.length === 1 ? bytesOf(values[0]) : Buffer.concat(values.map((v) => bytesOf(v)));
  const frameBits = d.rows * d.columns * storedSamplesPerPixel(d) * d.bitsAllocated;
  const needed = Math.ceil((frameBits * d.numberOfFrames) / 8);
  if (all.length < needed) {
    throw new RadbridgeError('DICOM_LENGTH_INCONSISTENT', `pixel data holds ${all.length} bytes; ${d.numberOfFrames} frame(s) of ${d.rows}x${d.columns}x${d.samplesPerPixel} at ${d.bitsAllocated} bits need ${needed}`);
  }
  return Array.from({ length: d.numberOfFrames }, (_v, f) => {
    const startBit = f * frameBits;
    const start = Math.floor(startBit / 8);
    const bytes = all.subarray(start, start + Math.ceil((frameBits + (startBit % 8)) / 8));
    return decodeNativeFrame(d, bytes, littleEndian, startBit % 8);
  });
}

/**
 * dcmjs groups fragments into frames by the Basic Offset Table; without one it may hand back the
 * fragments themselves. Those are grouped the way WADO-RS groups them (src/dicom/pixel-frames.ts).
 */
function encodedFrames(values: Uint8Array[], frames: number): Uint8Array[] {
  if (values.length === frames) return values;
  let at = 0;
  const fragments = values.map((v) => {
    const fragment = { start: at, length: v.length, head: Buffer.from(v.subarray(0, 16)) };
    at += v.length;
    return fragment;
  });
  const all = Buffer.concat(values);
  return encapsulatedFrames({ offsetTable: [], fragments }, frames).map((ranges) =>
    Buffer.concat(ranges.map((r) => all.subarray(r.start, r.start + r.length))),
  );
}

/**
 * Decodes every frame of a DICOM Part 10 object held in memory: native (any byte order, deflated or
 * not) or encapsulated (RLE, JPEG, JPEG-LS, JPEG 2000). Refuses frames whose size does not match
 * the pixel description.
 */
export async function decodeInstance(file: Uint8Array): Promise<DecodedInstance> {
  let parsed: ReturnType<typeof dcmjs.data.DicomMessage.readFile>;
  try {
    // A file that is its whole buffer (as fs.readFile gives it) is read in place; dcmjs only reads it.
    const whole = file.byteOffset === 0 && file.byteLength === file.buffer.byteLength;
    parsed = dcmjs.data.DicomMessage.readFile((whole ? file.buffer : file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength)) as ArrayBuffer);
  } catch (err) {
    throw new RadbridgeError('DICOM_MALFORMED', `object cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  const tsUid = text(parsed.meta, '00020010') ?? '';
  const ts = transferSyntax(tsUid);
  if (!ts) throw new RadbridgeError('TRANSFER_SYNTAX_NOT_SUPPORTED', `transfer syntax ${tsUid} is not supported`);
  const dict = parsed.dict as JsonDict;
  const description = pixelDescription(dict);
  const values = dict['7FE00010']?.Value;
  if (!values || values.length === 0) throw new RadbridgeError('DICOM_MISSING_ATTRIBUTE', 'the object has no pixel data');
  if (!ts.encapsulated) return { dataset: dict, description, transferSyntaxUid: tsUid, frames: nativeFrames(description, values, ts.littleEndian) };
  await loadCodecs();
  const frames = encodedFrames(values.map(bytesOf), description.numberOfFrames).map((encoded) => {
    const { bytes, photometricInterpretation, planarConfiguration } = decompressFrame(description, tsUid, encoded);
    return decodeNativeFrame({ ...description, photometricInterpretation, planarConfiguration }, bytes, true);
  });
  return { dataset: dict, description, transferSyntaxUid: tsUid, frames };
}

