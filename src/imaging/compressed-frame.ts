import codecs from 'dcmjs-codecs';
import { RadbridgeError } from '../domain/errors.js';
import { nativeFrameBytes, type PixelDescription } from './pixel-description.js';

const { Context, NativeCodecs } = codecs;
type Context = InstanceType<typeof Context>;

/** Which WebAssembly decoder (dcmjs-codecs) reads each encapsulated transfer syntax. */
const RLE_LOSSLESS = '1.2.840.10008.1.2.5';

const decoders: Record<string, (context: Context) => Context> = {
  [RLE_LOSSLESS]: (c) => NativeCodecs.decodeRle(c),
  '1.2.840.10008.1.2.4.50': (c) => NativeCodecs.decodeJpeg(c, { convertColorspaceToRgb: true }),
  '1.2.840.10008.1.2.4.51': (c) => NativeCodecs.decodeJpeg(c, { convertColorspaceToRgb: true }),
  '1.2.840.10008.1.2.4.57': (c) => NativeCodecs.decodeJpeg(c),
  '1.2.840.10008.1.2.4.70': (c) => NativeCodecs.decodeJpeg(c),
  '1.2.840.10008.1.2.4.80': (c) => NativeCodecs.decodeJpegLs(c),
  '1.2.840.10008.1.2.4.81': (c) => NativeCodecs.decodeJpegLs(c),
  '1.2.840.10008.1.2.4.90': (c) => NativeCodecs.decodeJpeg2000(c),
  '1.2.840.10008.1.2.4.91': (c) => NativeCodecs.decodeJpeg2000(c),
};

let ready: Promise<void> | undefined;

/** Loads the WebAssembly codecs once (they ship inside the npm package). */
export function loadCodecs(): Promise<void> {
  ready ??= NativeCodecs.isInitialized() ? Promise.resolve() : NativeCodecs.initializeAsync();
  return ready;
}

export function canDecompress(transferSyntaxUid: string): boolean {
  return transferSyntaxUid in decoders;
}

/** What the decoder made of the colour model: lossy JPEG and JPEG 2000 colour comes out as RGB. */
function decodedPhotometric(d: PixelDescription): string {
  return d.samplesPerPixel === 3 && d.photometricInterpretation.startsWith('YBR') ? 'RGB' : d.photometricInterpretation;
}

/**
 * Decompresses one frame to native little-endian, interleaved pixel data; refuses a result whose
 * size does not match the pixel description. Call loadCodecs() first.
 */
export function decompressFrame(
  d: PixelDescription,
  transferSyntaxUid: string,
  encoded: Uint8Array,
): { bytes: Uint8Array; photometricInterpretation: string; planarConfiguration: 0 | 1 } {
  const decode = decoders[transferSyntaxUid];
  if (!decode) throw new RadbridgeError('TRANSFER_SYNTAX_NOT_SUPPORTED', `no decoder for transfer syntax ${transferSyntaxUid}`);
  const context = new Context({
    width: d.columns,
    height: d.rows,
    bitsAllocated: d.bitsAllocated,
    bitsStored: d.bitsStored,
    samplesPerPixel: d.samplesPerPixel,
    pixelRepresentation: d.signed ? 1 : 0,
    planarConfiguration: d.planarConfiguration,
    photometricInterpretation: d.photometricInterpretation,
    encodedBuffer: encoded,
  });
  let bytes: Uint8Array | undefined;
  try {
    bytes = decode(context).getDecodedBuffer();
  } catch (err) {
    throw new RadbridgeError('DICOM_MALFORMED', `frame cannot be decompressed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const photometricInterpretation = decodedPhotometric(d);
  const expected = nativeFrameBytes({ ...d, photometricInterpretation });
  if (!bytes || bytes.length !== expected) {
    throw new RadbridgeError('DICOM_LENGTH_INCONSISTENT', `decompressed frame holds ${bytes?.length ?? 0} bytes; the pixel description needs ${expected}`);
  }
  // The RLE decoder lays samples out as the data set declares; the JPEG family interleaves them.
  const planarConfiguration = transferSyntaxUid === RLE_LOSSLESS ? d.planarConfiguration : 0;
  return { bytes, photometricInterpretation, planarConfiguration };
}
