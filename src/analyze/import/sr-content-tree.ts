import type { Code } from '../../domain/finding.js';
import { RadbridgeError } from '../../domain/errors.js';
import { codeOf } from './coded-concepts.js';
import { firstItem, integersOf, itemsOf, numbersOf, textOf, type JsonDict } from './dicom-object.js';

/** An SR content tree (PS3.3 C.17.3) as plain nodes: the value of each item by its value type, and its children. Pure. */

export interface ReferencedImage {
  sopClassUid?: string;
  sopInstanceUid: string;
  frames: number[];
  segments: number[];
}

export interface ContentNode {
  relationship?: string;
  valueType: string;
  concept?: Code;
  code?: Code;
  text?: string;
  uid?: string;
  num?: { value: number; unit?: Code };
  /** Why a NUM item has no value (Numeric Value Qualifier Code Sequence). */
  qualifier?: Code;
  /** DATE, TIME or DATETIME as written (YYYYMMDD, HHMMSS.FFFFFF, YYYYMMDDHHMMSS.FFFFFF&ZZXX). */
  temporal?: string;
  /** PNAME: the person's name as written (family^given^…). */
  personName?: string;
  /** SCOORD: image coordinates (column, row pairs); SCOORD3D: patient coordinates (x, y, z triplets). */
  graphic?: { type: string; data: number[]; frameOfReferenceUid?: string };
  /** IMAGE and COMPOSITE: the referenced instance. */
  image?: ReferencedImage;
  children: ContentNode[];
}

const MAX_DEPTH = 64;
const MAX_ITEMS = 100_000;

const TEMPORAL_TAGS: Readonly<Record<string, string>> = { DATE: '0040A121', TIME: '0040A122', DATETIME: '0040A120' };

/** Person Name (0040,A123): dcmjs gives a PN as { Alphabetic } or, read leniently, a string. */
function personNameOf(item: JsonDict): string | undefined {
  const raw = item['0040A123']?.Value?.[0];
  const name = typeof raw === 'string' ? raw : typeof raw === 'object' && raw !== null && 'Alphabetic' in raw ? String(raw.Alphabetic) : undefined;
  return name?.trim() || undefined;
}

function referencedImage(item: JsonDict): ReferencedImage | undefined {
  const ref = firstItem(item, '00081199');
  const sopInstanceUid = ref && textOf(ref, '00081155');
  if (!ref || !sopInstanceUid) return undefined;
  const sopClassUid = textOf(ref, '00081150');
  return { ...(sopClassUid ? { sopClassUid } : {}), sopInstanceUid, frames: integersOf(ref, '00081160'), segments: integersOf(ref, '0062000B') };
}

function numericValue(item: JsonDict): ContentNode['num'] {
  const measured = firstItem(item, '0040A300');
  if (!measured) return undefined;
  // Floating Point Value holds the value exactly where the 16 characters of Numeric Value cannot (PS3.3 C.18.1).
  const [value] = [...numbersOf(measured, '0040A161', 'FloatingPointValue'), ...numbersOf(measured, '0040A30A', 'NumericValue')];
  if (value === undefined) return undefined;
  const unit = codeOf(firstItem(measured, '004008EA'));
  return unit ? { value, unit } : { value };
}

function graphicValue(item: JsonDict, valueType: string): ContentNode['graphic'] {
  const type = textOf(item, '00700023');
  if (!type) return undefined;
  const data = numbersOf(item, '00700022', 'GraphicData');
  const frameOfReferenceUid = valueType === 'SCOORD3D' ? textOf(item, '30060024') : undefined;
  return frameOfReferenceUid ? { type, data, frameOfReferenceUid } : { type, data };
}

/** One content item and its descendants; `budget` counts the items read so far across the tree. */
function nodeOf(item: JsonDict, depth: number, budget: { items: number }): ContentNode {
  if (depth > MAX_DEPTH) throw new RadbridgeError('DICOM_LIMIT_EXCEEDED', `SR content tree nests deeper than ${MAX_DEPTH} levels`);
  if (++budget.items > MAX_ITEMS) throw new RadbridgeError('DICOM_LIMIT_EXCEEDED', `SR content tree holds more than ${MAX_ITEMS} items`);
  const valueType = textOf(item, '0040A040') ?? 'UNKNOWN';
  const node: ContentNode = { valueType, children: [] };
  const relationship = textOf(item, '0040A010');
  if (relationship) node.relationship = relationship;
  const concept = codeOf(firstItem(item, '0040A043'));
  if (concept) node.concept = concept;
  if (valueType === 'CODE') {
    const code = codeOf(firstItem(item, '0040A168'));
    if (code) node.code = code;
  } else if (valueType === 'TEXT') {
    const t = textOf(item, '0040A160');
    if (t) node.text = t;
  } else if (valueType === 'UIDREF') {
    const uid = textOf(item, '0040A124');
    if (uid) node.uid = uid;
  } else if (valueType === 'NUM') {
    const num = numericValue(item);
    if (num) node.num = num;
    const qualifier = codeOf(firstItem(item, '0040A301'));
    if (qualifier) node.qualifier = qualifier;
  } else if (TEMPORAL_TAGS[valueType]) {
    const temporal = textOf(item, TEMPORAL_TAGS[valueType]);
    if (temporal) node.temporal = temporal;
  } else if (valueType === 'PNAME') {
    const name = personNameOf(item);
    if (name) node.personName = name;
  } else if (valueType === 'SCOORD' || valueType === 'SCOORD3D') {
    const graphic = graphicValue(item, valueType);
    if (graphic) node.graphic = graphic;
  } else if (valueType === 'IMAGE' || valueType === 'COMPOSITE') {
    const image = referencedImage(item);
    if (image) node.image = image;
  }
  node.children = itemsOf(item, '0040A730').map((child) => nodeOf(child, depth + 1, budget));
  return node;
}

/** The root CONTAINER of an SR document; refuses a document without a content tree. */
export function contentTreeOf(dict: JsonDict): ContentNode {
  const valueType = textOf(dict, '0040A040');
  const children = itemsOf(dict, '0040A730');
  if (valueType !== 'CONTAINER' || !dict['0040A043']) {
    throw new RadbridgeError('DICOM_MISSING_ATTRIBUTE', 'the SR document has no content tree: its root is not a CONTAINER with a Concept Name Code Sequence (0040,A043)');
  }
  if (children.length === 0) throw new RadbridgeError('DICOM_MISSING_ATTRIBUTE', 'the SR document has no content tree: Content Sequence (0040,A730) of the root is empty');
  return nodeOf(dict, 0, { items: 0 });
}

/** Every node below `node` (depth first, document order), not `node` itself. */
export function* descendants(node: ContentNode): Generator<ContentNode> {
  for (const child of node.children) {
    yield child;
    yield* descendants(child);
  }
}

/** SOP Instance UID → Series Instance UID, from the evidence sequences of the document (PS3.3 C.17.2). */
export function evidenceSeries(dict: JsonDict): Map<string, string> {
  const series = new Map<string, string>();
  for (const tag of ['0040A375', '0040A385']) {
    for (const study of itemsOf(dict, tag)) {
      for (const s of itemsOf(study, '00081115')) {
        const seriesUid = textOf(s, '0020000E');
        if (!seriesUid) continue;
        for (const sop of itemsOf(s, '00081199')) {
          const uid = textOf(sop, '00081155');
          if (uid) series.set(uid, seriesUid);
        }
      }
    }
  }
  return series;
}
