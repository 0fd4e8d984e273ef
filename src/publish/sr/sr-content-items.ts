import type { Code, PatientPoint } from '../../domain/finding.js';
import { codeItem } from '../coded-items.js';

/**
 * SR content items (PS3.3 C.17.3) as dcmjs naturalized data set items, one builder per value type
 * the Measurement Report uses. Pure.
 */

/** A naturalized data set or sequence item, keyed by dcmjs keyword. */
export type Item = Record<string, unknown>;

export type Relationship = 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD' | 'HAS PROPERTIES' | 'INFERRED FROM' | 'SELECTED FROM' | 'HAS ACQ CONTEXT';

/** Decimal String holds 16 characters. */
const MAX_DS = 16;

/** A number's text without trailing zeros in its mantissa. */
function trimmed(text: string): string {
  const [mantissa = '', exponent] = text.split('e');
  const digits = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return exponent === undefined ? digits : `${digits}e${exponent}`;
}

/** `value` as a Decimal String (at most 16 characters) with as many significant digits as fit, fixed or exponential. */
export function decimalString(value: number): string {
  const plain = String(value);
  if (plain.length <= MAX_DS) return plain;
  for (let digits = MAX_DS - 1; digits > 1; digits--) {
    const fitting = [value.toPrecision(digits), value.toExponential(digits - 1)].map(trimmed).find((s) => s.length <= MAX_DS);
    if (fitting) return fitting;
  }
  return value.toExponential(0);
}

function item(relationship: Relationship | undefined, valueType: string, concept: Code | undefined, value: Item, children: Item[] = []): Item {
  return {
    ...(relationship ? { RelationshipType: relationship } : {}),
    ValueType: valueType,
    ...(concept ? { ConceptNameCodeSequence: [codeItem(concept)] } : {}),
    ...value,
    ...(children.length > 0 ? { ContentSequence: children } : {}),
  };
}

/** A CONTAINER (separate items), with its template where one applies; the root has no relationship. */
export function containerItem(relationship: Relationship | undefined, concept: Code, children: Item[], templateId?: string): Item {
  const template = templateId ? { ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: templateId }] } : {};
  return item(relationship, 'CONTAINER', concept, { ContinuityOfContent: 'SEPARATE', ...template }, children);
}

export const codeContentItem = (relationship: Relationship, concept: Code, value: Code, children: Item[] = []): Item =>
  item(relationship, 'CODE', concept, { ConceptCodeSequence: [codeItem(value)] }, children);

export const textItem = (relationship: Relationship, concept: Code, value: string): Item => item(relationship, 'TEXT', concept, { TextValue: value });

export const uidrefItem = (relationship: Relationship, concept: Code, uid: string): Item => item(relationship, 'UIDREF', concept, { UID: uid });

/** A NUM with its UCUM unit; Floating Point Value carries the exact value where 16 decimal characters cannot. */
export function numItem(relationship: Relationship, concept: Code, value: number, unit: Code, children: Item[] = []): Item {
  const ds = decimalString(value);
  const measured = { NumericValue: ds, ...(Number(ds) === value ? {} : { FloatingPointValue: value }), MeasurementUnitsCodeSequence: [codeItem(unit)] };
  return item(relationship, 'NUM', concept, { MeasuredValueSequence: [measured] }, children);
}

export interface InstanceReference {
  sopClassUid: string;
  sopInstanceUid: string;
  frame?: number;
  /** A segment of a Segmentation. */
  segment?: number;
}

export const referencedSop = (r: InstanceReference): Item => ({
  ReferencedSOPClassUID: r.sopClassUid,
  ReferencedSOPInstanceUID: r.sopInstanceUid,
  ...(r.frame === undefined ? {} : { ReferencedFrameNumber: String(r.frame) }),
  ...(r.segment === undefined ? {} : { ReferencedSegmentNumber: r.segment }),
});

/** An IMAGE; an Image Library entry (TID 1601) has no concept name. */
export const imageItem = (relationship: Relationship, concept: Code | undefined, r: InstanceReference): Item => item(relationship, 'IMAGE', concept, { ReferencedSOPSequence: [referencedSop(r)] });

/** A SCOORD3D: patient coordinates (mm) in the frame of reference named. */
export const scoord3dItem = (relationship: Relationship, concept: Code, graphicType: 'POINT' | 'ELLIPSOID', points: PatientPoint[], frameOfReferenceUid: string): Item =>
  item(relationship, 'SCOORD3D', concept, { GraphicType: graphicType, GraphicData: points.flat(), ReferencedFrameOfReferenceUID: frameOfReferenceUid });
