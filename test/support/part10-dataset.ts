import { parseFilePrefix } from '../../src/dicom/part10.js';

/** The data set of a Part 10 file, after its preamble and meta group: what a peer must keep byte for byte. */
export function datasetOf(bytes: Buffer): Buffer {
  const prefix = parseFilePrefix(bytes, true);
  if (!prefix) throw new Error('not a Part 10 file');
  return bytes.subarray(prefix.length);
}
