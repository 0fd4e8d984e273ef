import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ByteRange, EncapsulatedItems, Fragment } from '../dicom/pixel-frames.js';
import { RadbridgeError } from '../domain/errors.js';
import type { ObjectStore } from './object-store.js';

/** Reads stored DICOM files for retrieval: whole, by byte range, and the item table of encapsulated pixel data. */

/** Streams a stored file, or a byte range of it, from disk. */
export function streamStoredFile(objects: ObjectStore, filePath: string, range?: ByteRange): Readable {
  if (range?.length === 0) return Readable.from([]);
  const options = range ? { start: range.start, end: range.start + range.length - 1 } : {};
  return createReadStream(objects.absolute(filePath), options);
}

/** Reads a byte range of a stored file into memory; for headers and single frames only. */
export async function readStoredBytes(objects: ObjectStore, filePath: string, range: ByteRange): Promise<Buffer> {
  const handle = await open(objects.absolute(filePath), 'r');
  try {
    const bytes = Buffer.alloc(range.length);
    const { bytesRead } = await handle.read(bytes, 0, range.length, range.start);
    if (bytesRead !== range.length) throw new RadbridgeError('PROCESSING_FAILURE', `stored file ${filePath} ends ${range.length - bytesRead} bytes early`);
    return bytes;
  } finally {
    await handle.close();
  }
}

const ITEM = 0xe000fffe;
const SEQUENCE_DELIMITER = 0xe0ddfffe;
const UNDEFINED_LENGTH = 0xffffffff;
/** An item header and the first bytes of its value, which tell where a frame starts. */
const PEEK_BYTES = 16;

/**
 * Reads the items of encapsulated pixel data whose value (the Basic Offset Table item) starts at
 * `valueOffset`: the offset table and where each fragment lies, one small read per item.
 */
export async function readEncapsulatedItems(objects: ObjectStore, filePath: string, valueOffset: number, fileSize: number): Promise<EncapsulatedItems> {
  const handle = await open(objects.absolute(filePath), 'r');
  const malformed = (what: string, at: number) => new RadbridgeError('PROCESSING_FAILURE', `stored pixel data of ${filePath} is malformed: ${what} at byte ${at}`);
  try {
    const peek = Buffer.alloc(PEEK_BYTES);
    const readItem = async (at: number): Promise<{ tag: number; length: number; head: Buffer }> => {
      const { bytesRead } = await handle.read(peek, 0, PEEK_BYTES, at);
      if (bytesRead < 8) throw malformed('file ends inside the item table', at);
      const length = peek.readUInt32LE(4);
      return { tag: peek.readUInt32LE(0), length, head: Buffer.from(peek.subarray(8, Math.min(bytesRead, 8 + length))) };
    };
    const table = await readItem(valueOffset);
    if (table.tag !== ITEM || table.length === UNDEFINED_LENGTH || table.length % 4 !== 0) throw malformed('no Basic Offset Table item', valueOffset);
    const offsetTable: number[] = [];
    if (table.length > 0) {
      const bytes = await readStoredBytes(objects, filePath, { start: valueOffset + 8, length: table.length });
      for (let i = 0; i < table.length; i += 4) offsetTable.push(bytes.readUInt32LE(i));
    }
    const fragments: Fragment[] = [];
    for (let at = valueOffset + 8 + table.length; ; ) {
      const item = await readItem(at);
      if (item.tag === SEQUENCE_DELIMITER) return { offsetTable, fragments };
      if (item.tag !== ITEM || item.length === UNDEFINED_LENGTH || at + 8 + item.length > fileSize) throw malformed('a bad fragment item', at);
      fragments.push({ start: at + 8, length: item.length, head: item.head });
      at += 8 + item.length;
    }
  } finally {
    await handle.close();
  }
}
