import dcmjs, { type DicomJsonElement } from 'dcmjs';
import type { JsonAttribute, JsonDataset } from './dicom-json.js';

/** WADO-RS metadata (PS3.18 F.2): the DICOM JSON of a stored instance's data set, without its pixel data. */

const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
/** Float, Double Float and Pixel Data: bulk data never returned as metadata. */
const PIXEL_TAGS = new Set(['7FE00008', '7FE00009', '7FE00010']);

/**
 * Parses the bytes of a Part 10 file up to its pixel data (or the whole file when it has none)
 * with dcmjs. dcmjs decodes text by the Specific Character Set, so values are already Unicode.
 */
export function instanceMetadata(header: Uint8Array): JsonDataset {
  const bytes = header.buffer.slice(header.byteOffset, header.byteOffset + header.byteLength);
  // ignoreErrors: a character set dcmjs does not know degrades the text instead of failing the whole response.
  const { dict } = dcmjs.data.DicomMessage.readFile(bytes as ArrayBuffer, { ignoreErrors: true });
  return datasetOf(dict);
}

function datasetOf(dict: Record<string, DicomJsonElement>): JsonDataset {
  const dataset: JsonDataset = {};
  for (const [tag, element] of Object.entries(dict)) {
    if (!PIXEL_TAGS.has(tag)) dataset[tag] = attributeOf(element);
  }
  return dataset;
}

function attributeOf(element: DicomJsonElement): JsonAttribute {
  const { vr } = element;
  const values = element.Value ?? [];
  if (BINARY_VRS.has(vr)) {
    const chunks = values.flatMap((v) => (v instanceof ArrayBuffer ? [Buffer.from(v)] : ArrayBuffer.isView(v) ? [Buffer.from(v.buffer, v.byteOffset, v.byteLength)] : []));
    const binary = Buffer.concat(chunks);
    return binary.length === 0 ? { vr } : { vr, InlineBinary: binary.toString('base64') };
  }
  if (vr === 'SQ') {
    const items = values.map((item) => datasetOf(item as Record<string, DicomJsonElement>));
    return items.length === 0 ? { vr } : { vr, Value: items };
  }
  // Empty values are null in DICOM JSON; an attribute with only an empty value has none. Tags (AT) are hex strings.
  const cleaned = values.map((v) => (v === '' || v === undefined ? null : vr === 'AT' && typeof v === 'number' ? v.toString(16).toUpperCase().padStart(8, '0') : v));
  return cleaned.every((v) => v === null) ? { vr } : { vr, Value: cleaned };
}
