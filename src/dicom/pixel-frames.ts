import { RadbridgeError } from '../domain/errors.js';

/** Where each frame of an instance's pixel data lies in its file (PS3.5 8.2 and A.4). */

export interface ByteRange {
  start: number;
  length: number;
}

export interface NativePixelData {
  /** File offset and length of the pixel data value. */
  offset: number;
  length: number;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
}

/** One item of encapsulated pixel data: where its value lies and its first bytes. */
export interface Fragment extends ByteRange {
  head: Buffer;
}

export interface EncapsulatedItems {
  /** The Basic Offset Table: offsets of each frame's first item from the first fragment's item tag. Empty when absent. */
  offsetTable: number[];
  fragments: Fragment[];
}

/** Native frames follow each other at a fixed size; frame numbers start at 1. */
export function nativeFrameRange(pixels: NativePixelData, frame: number): ByteRange {
  const frameBits = pixels.rows * pixels.columns * pixels.samplesPerPixel * pixels.bitsAllocated;
  const startBit = (frame - 1) * frameBits;
  if (startBit % 8 !== 0 || frameBits % 8 !== 0) {
    throw new RadbridgeError('NOT_ACCEPTABLE', `frame ${frame} of this single-bit pixel data does not start on a byte boundary and cannot be returned yet`);
  }
  const range = { start: pixels.offset + startBit / 8, length: frameBits / 8 };
  if (range.start + range.length > pixels.offset + pixels.length) {
    throw new RadbridgeError('PROCESSING_FAILURE', `stored pixel data holds ${pixels.length} bytes, too few for frame ${frame}`);
  }
  return range;
}

/** Frame starts in JPEG (SOI), JPEG 2000 codestreams (SOC SIZ) and JP2 files (signature box). */
const startMarkers = [Buffer.from([0xff, 0xd8, 0xff]), Buffer.from([0xff, 0x4f, 0xff, 0x51]), Buffer.from([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20])];

function startsFrame(fragment: Fragment): boolean {
  return startMarkers.some((m) => fragment.head.subarray(0, m.length).equals(m));
}

/**
 * The fragments of each frame: by the Basic Offset Table when it names every frame; else one
 * fragment per frame when the counts agree; else all fragments for a single frame; else split
 * where a fragment opens with a JPEG or JPEG 2000 start marker.
 */
export function encapsulatedFrames(items: EncapsulatedItems, frames: number): ByteRange[][] {
  const { offsetTable, fragments } = items;
  const first = fragments[0];
  if (!first) throw new RadbridgeError('PROCESSING_FAILURE', 'stored encapsulated pixel data holds no fragment');
  let groups: Fragment[][];
  if (offsetTable.length === frames && offsetTable[0] === 0) {
    groups = offsetTable.map(() => []);
    let frame = 0;
    for (const f of fragments) {
      // Item tags lie 8 bytes before each value, so offsets between values equal offsets between item tags.
      while (f.start - first.start >= (offsetTable[frame + 1] ?? Infinity)) frame++;
      groups[frame]?.push(f);
    }
  } else if (fragments.length === frames) {
    groups = fragments.map((f) => [f]);
  } else if (frames === 1) {
    groups = [fragments];
  } else {
    groups = [];
    for (const f of fragments) {
      if (startsFrame(f) || groups.length === 0) groups.push([f]);
      else groups[groups.length - 1]?.push(f);
    }
  }
  if (groups.length !== frames || groups.some((g) => g.length === 0)) {
    throw new RadbridgeError('PROCESSING_FAILURE', `cannot tell the ${frames} frames apart among ${fragments.length} fragments of the stored pixel data`);
  }
  return groups.map((g) => g.map(({ start, length }) => ({ start, length })));
}
