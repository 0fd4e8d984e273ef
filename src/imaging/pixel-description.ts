import { RadbridgeError } from '../domain/errors.js';

/** The Image Pixel module attributes that say how to read a frame (PS3.3 C.7.6.3). */
export interface PixelDescription {
  rows: number;
  columns: number;
  samplesPerPixel: 1 | 3;
  bitsAllocated: 1 | 8 | 16 | 32;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  photometricInterpretation: string;
  /** 0: samples interleaved per pixel; 1: one plane per sample. */
  planarConfiguration: 0 | 1;
  numberOfFrames: number;
}

export interface JsonElement {
  vr?: string;
  Value?: unknown[];
}

export type JsonDict = Record<string, JsonElement | undefined>;

function first(dict: JsonDict, tag: string): unknown {
  return dict[tag]?.Value?.[0];
}

/** A text attribute's first value, trimmed; undefined when absent or not text. */
export function text(dict: JsonDict, tag: string): string | undefined {
  const v = first(dict, tag);
  return typeof v === 'string' ? v.trim() : undefined;
}

function integer(dict: JsonDict, tag: string, name: string, fallback?: number): number {
  const raw = first(dict, tag);
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (n === undefined || !Number.isInteger(n)) throw new RadbridgeError('DICOM_MISSING_ATTRIBUTE', `${name} (${tag.slice(0, 4)},${tag.slice(4)}) is missing or not an integer`);
  return n;
}

/** Reads and checks the pixel description; anything a decoder could misread is refused here. */
export function pixelDescription(dict: JsonDict): PixelDescription {
  const rows = integer(dict, '00280010', 'Rows');
  const columns = integer(dict, '00280011', 'Columns');
  const samples = integer(dict, '00280002', 'SamplesPerPixel', 1);
  const bitsAllocated = integer(dict, '00280100', 'BitsAllocated');
  const bitsStored = integer(dict, '00280101', 'BitsStored', bitsAllocated);
  const highBit = integer(dict, '00280102', 'HighBit', bitsStored - 1);
  const planar = integer(dict, '00280006', 'PlanarConfiguration', 0);
  const frames = integer(dict, '00280008', 'NumberOfFrames', 1);
  const photometric = text(dict, '00280004') ?? (samples === 1 ? 'MONOCHROME2' : 'RGB');
  const problem =
    rows < 1 || columns < 1 ? `Rows ${rows} x Columns ${columns}` :
    samples !== 1 && samples !== 3 ? `SamplesPerPixel ${samples}` :
    ![1, 8, 16, 32].includes(bitsAllocated) ? `BitsAllocated ${bitsAllocated}` :
    bitsStored < 1 || bitsStored > bitsAllocated ? `BitsStored ${bitsStored} with BitsAllocated ${bitsAllocated}` :
    highBit < bitsStored - 1 || highBit >= bitsAllocated ? `HighBit ${highBit} with BitsStored ${bitsStored}` :
    planar !== 0 && planar !== 1 ? `PlanarConfiguration ${planar}` :
    frames < 1 ? `NumberOfFrames ${frames}` : undefined;
  if (problem) throw new RadbridgeError('DICOM_MALFORMED', `pixel description cannot be decoded: ${problem}`);
  return {
    rows,
    columns,
    samplesPerPixel: samples as 1 | 3,
    bitsAllocated: bitsAllocated as 1 | 8 | 16 | 32,
    bitsStored,
    highBit,
    signed: integer(dict, '00280103', 'PixelRepresentation', 0) === 1,
    photometricInterpretation: photometric,
    planarConfiguration: planar as 0 | 1,
    numberOfFrames: frames,
  };
}

/** Samples stored per pixel in native pixel data: YBR_FULL_422 stores one Cb and one Cr per pair of pixels. */
export function storedSamplesPerPixel(d: PixelDescription): number {
  return d.photometricInterpretation === 'YBR_FULL_422' ? 2 : d.samplesPerPixel;
}

/** Bytes of one frame as native pixel data (1-bit frames are packed and may share a byte). */
export function nativeFrameBytes(d: PixelDescription): number {
  return Math.ceil((d.rows * d.columns * storedSamplesPerPixel(d) * d.bitsAllocated) / 8);
}
