import type { Code } from '../../domain/finding.js';
import { RadbridgeError } from '../../domain/errors.js';
import { CONCEPTS, sameConcept } from './coded-concepts.js';
import { textOf, type DicomObject } from './dicom-object.js';
import { SR_SOP_CLASSES } from './result-object-reader.js';
import { contentTreeOf, evidenceSeries, type ContentNode } from './sr-content-tree.js';

/**
 * Any SR document (the hub's or a third party's) as JSON a review screen shows as it is: the
 * document's title, observers and flags, and its content tree with every value as text, keeping
 * the code, number, image reference or coordinates beside the text. Pure.
 */

export const DISPLAYED_SR_CLASSES: Readonly<Record<string, string>> = {
  ...SR_SOP_CLASSES,
  '1.2.840.10008.5.1.4.1.1.88.59': 'Key Object Selection Document',
};

export interface DisplayedImage {
  /** From the document's evidence, where it lists the instance. */
  seriesUid?: string;
  sopClassUid?: string;
  sopInstanceUid: string;
  frames: number[];
}

export interface DisplayedCoordinates {
  graphicType: string;
  /** Column, row pairs (SCOORD) or x, y, z patient mm (SCOORD3D). */
  points: number[][];
  frameOfReferenceUid?: string;
}

export interface DisplayedItem {
  relationship?: string;
  valueType: string;
  /** The concept name's meaning. */
  concept?: string;
  /** The value as text; none for a CONTAINER. */
  value?: string;
  code?: Code;
  number?: { value: number; unit?: Code };
  image?: DisplayedImage;
  coordinates?: DisplayedCoordinates;
  children: DisplayedItem[];
}

export interface DisplayedObserver {
  type: 'device' | 'person';
  name?: string;
  uid?: string;
  manufacturer?: string;
  model?: string;
  serialNumber?: string;
}

export interface DisplayedReport {
  sopClassUid: string;
  documentType: string;
  title: string;
  studyUid?: string;
  seriesUid?: string;
  sopInstanceUid: string;
  completion?: string;
  verification?: string;
  /** Content Date and Time as YYYY-MM-DD and HH:MM:SS. */
  contentDate?: string;
  contentTime?: string;
  observers: DisplayedObserver[];
  items: DisplayedItem[];
}

const date = (d: string): string => (d.length >= 8 ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : d);
const time = (t: string): string => (t.length >= 6 ? `${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4)}` : t);

/** A DATE, TIME or DATETIME as ISO-like text. */
function temporalText(valueType: string, v: string): string {
  if (valueType === 'DATE') return date(v);
  if (valueType === 'TIME') return time(v);
  return `${date(v.slice(0, 8))}${v.length > 8 ? ` ${time(v.slice(8))}` : ''}`;
}

/** A UCUM unit by its symbol ("mL", "%"), none for a dimensionless one ("1", "{ratio}"); another scheme by its meaning. */
function unitText(unit: Code | undefined): string {
  if (!unit) return '';
  if (unit.scheme !== 'UCUM') return ` ${unit.meaning}`;
  return unit.value === '1' || unit.value.startsWith('{') ? '' : ` ${unit.value}`;
}

function imageText(image: DisplayedImage): string {
  const frames = image.frames.length > 0 ? `, frame${image.frames.length > 1 ? 's' : ''} ${image.frames.join(', ')}` : '';
  return `${image.seriesUid ? `series ${image.seriesUid}, ` : ''}instance ${image.sopInstanceUid}${frames}`;
}

function coordinatesOf(node: ContentNode): DisplayedCoordinates | undefined {
  if (!node.graphic) return undefined;
  const size = node.valueType === 'SCOORD3D' ? 3 : 2;
  const points: number[][] = [];
  for (let i = 0; i + size <= node.graphic.data.length; i += size) points.push(node.graphic.data.slice(i, i + size));
  return { graphicType: node.graphic.type, points, ...(node.graphic.frameOfReferenceUid ? { frameOfReferenceUid: node.graphic.frameOfReferenceUid } : {}) };
}

function coordinatesText(c: DisplayedCoordinates, valueType: string): string {
  const points = c.points.map((p) => `(${p.map((v) => Number(v.toPrecision(6))).join(', ')})`).join(' ');
  return valueType === 'SCOORD3D' ? `${c.graphicType} ${points} mm` : `${c.graphicType} ${points}`;
}

function valueOf(node: ContentNode, series: ReadonlyMap<string, string>): Pick<DisplayedItem, 'value' | 'code' | 'number' | 'image' | 'coordinates'> {
  if (node.code) return { value: node.code.meaning, code: node.code };
  if (node.num) return { value: `${node.num.value}${unitText(node.num.unit)}`, number: node.num };
  if (node.qualifier) return { value: node.qualifier.meaning, code: node.qualifier };
  if (node.text !== undefined) return { value: node.text };
  if (node.uid) return { value: node.uid };
  if (node.temporal) return { value: temporalText(node.valueType, node.temporal) };
  if (node.personName) return { value: node.personName.split('^').filter((p) => p !== '').join(' ') };
  if (node.image) {
    const seriesUid = series.get(node.image.sopInstanceUid);
    const { sopClassUid, sopInstanceUid, frames } = node.image;
    const image: DisplayedImage = { ...(seriesUid ? { seriesUid } : {}), ...(sopClassUid ? { sopClassUid } : {}), sopInstanceUid, frames };
    return { value: imageText(image), image };
  }
  const coordinates = coordinatesOf(node);
  if (coordinates) return { value: coordinatesText(coordinates, node.valueType), coordinates };
  return {};
}

function itemOf(node: ContentNode, series: ReadonlyMap<string, string>): DisplayedItem {
  return {
    ...(node.relationship ? { relationship: node.relationship } : {}),
    valueType: node.valueType,
    ...(node.concept ? { concept: node.concept.meaning } : {}),
    ...valueOf(node, series),
    children: node.children.map((c) => itemOf(c, series)),
  };
}

const OBSERVER_FIELDS: Array<[Code, keyof Omit<DisplayedObserver, 'type'>]> = [
  [CONCEPTS.personObserverName, 'name'],
  [CONCEPTS.deviceObserverName, 'name'],
  [CONCEPTS.deviceObserverUid, 'uid'],
  [CONCEPTS.deviceObserverManufacturer, 'manufacturer'],
  [CONCEPTS.deviceObserverModelName, 'model'],
  [CONCEPTS.deviceObserverSerialNumber, 'serialNumber'],
];

/** The observers of the root's observation context (TID 1002): each Observer Type starts one. */
function observersOf(root: ContentNode): DisplayedObserver[] {
  const observers: DisplayedObserver[] = [];
  for (const n of root.children.filter((c) => c.relationship === 'HAS OBS CONTEXT')) {
    if (sameConcept(n.concept, CONCEPTS.observerType)) {
      observers.push({ type: sameConcept(n.code, CONCEPTS.device) ? 'device' : 'person' });
      continue;
    }
    const field = OBSERVER_FIELDS.find(([concept]) => sameConcept(n.concept, concept));
    const value = n.text ?? n.uid ?? n.personName?.split('^').filter((p) => p !== '').join(' ');
    if (!field || !value) continue;
    const type = sameConcept(n.concept, CONCEPTS.personObserverName) ? 'person' : 'device';
    let observer = observers.at(-1);
    if (!observer || observer.type !== type) {
      observer = { type };
      observers.push(observer);
    }
    observer[field[1]] = value;
  }
  return observers;
}

/** The document for display; NOT_A_STRUCTURED_REPORT for an object of another class. */
export function srDisplay(object: DicomObject): DisplayedReport {
  const documentType = DISPLAYED_SR_CLASSES[object.sopClassUid];
  if (!documentType) throw new RadbridgeError('NOT_A_STRUCTURED_REPORT', `instance ${object.sopInstanceUid} is of SOP class ${object.sopClassUid}, not an SR document`);
  const { dict } = object;
  const root = contentTreeOf(dict);
  const series = evidenceSeries(dict);
  const optional = (key: keyof DisplayedReport, tag: string, format: (v: string) => string = (v) => v) => {
    const v = textOf(dict, tag);
    return v ? { [key]: format(v) } : {};
  };
  return {
    sopClassUid: object.sopClassUid,
    documentType,
    title: root.concept?.meaning ?? documentType,
    ...optional('studyUid', '0020000D'),
    ...optional('seriesUid', '0020000E'),
    sopInstanceUid: object.sopInstanceUid,
    ...optional('completion', '0040A491'),
    ...optional('verification', '0040A493'),
    ...optional('contentDate', '00080023', date),
    ...optional('contentTime', '00080033', time),
    observers: observersOf(root),
    items: root.children.map((c) => itemOf(c, series)),
  };
}
