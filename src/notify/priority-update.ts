import type { Criticality } from '../domain/criticality.js';
import { components, value, type Hl7Message, type Hl7Segment } from '../hl7/hl7-message.js';
import { hl7Timestamp } from '../hl7/hl7-timestamp.js';
import type { PatientStudyAttributes } from '../publish/result-document.js';
import type { MessageContext } from './oru-message.js';

/**
 * The message that moves a study up a RIS's reading worklist when an active analyzer finds it
 * urgent or critical. RIS products read the priority from different places, so the message is
 * built from the RIS peer's mapping (`hl7.peers.{name}.priorityUpdate`): its type, and for each
 * field ("ORC-7.6", "OBR-27.6", "TQ1-9", "ZPR-2") a template of the values named in braces. MSH and PID are always
 * written; the mapped segments follow in the order they first appear in the mapping. Pure.
 */

export const PLACEHOLDERS = ['priority', 'level', 'accessionNumber', 'patientId', 'studyUid', 'reason'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface PriorityMapping {
  /** MSH-9, e.g. ORM^O01^ORM_O01. */
  messageType: string;
  fields: Record<string, string>;
  /** The RIS's priority code per level. */
  priorities: { critical: string; urgent: string };
}

const FIELD = /^([A-Z][A-Z0-9]{2})-(\d+)(?:\.(\d+))?$/;

function render(template: string, values: Record<Placeholder, string>): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (_m, name: string) => values[name as Placeholder] ?? '');
}

/** Sets field `n`, component `c` of a segment, growing it with empty fields and components as needed. */
function setField(segment: Hl7Segment, n: number, c: number, text: string): void {
  while (segment.fields.length < n) segment.fields.push(value(''));
  const field = segment.fields[n - 1] ?? value('');
  const repetition = field[0] ?? [['']];
  while (repetition.length < c) repetition.push(['']);
  repetition[c - 1] = [text];
  field[0] = repetition;
  segment.fields[n - 1] = field;
}

export function priorityUpdateMessage(ps: PatientStudyAttributes, criticality: Criticality & { level: 'urgent' | 'critical' }, mapping: PriorityMapping, context: MessageContext): Hl7Message {
  const values: Record<Placeholder, string> = {
    priority: mapping.priorities[criticality.level],
    level: criticality.level,
    accessionNumber: ps.AccessionNumber ?? '',
    patientId: ps.PatientID ?? '',
    studyUid: ps.StudyInstanceUID ?? '',
    reason: criticality.reasons.map((r) => r.reason).join('; '),
  };
  const [code = '', trigger = '', structure = ''] = mapping.messageType.split('^');
  const segments: Hl7Segment[] = [
    {
      id: 'MSH',
      fields: [
        value('|'), value('^~\\&'), value('RADBRIDGE'), value(''), value(context.receivingApplication), value(context.receivingFacility),
        value(hl7Timestamp(context.now)), value(''), components(code, trigger, structure), value(context.controlId), value('P'), value('2.5.1'),
        value(''), value(''), value(''), value(''), value(''), value('UNICODE UTF-8'),
      ],
    },
    { id: 'PID', fields: [value('1'), value(''), value(values.patientId)] },
  ];
  for (const [path, template] of Object.entries(mapping.fields)) {
    const [, id = '', n = '1', c = '1'] = FIELD.exec(path) ?? [];
    let segment = segments.find((s) => s.id === id);
    if (!segment) {
      segment = { id, fields: [] };
      segments.push(segment);
    }
    setField(segment, Number(n), Number(c), render(template, values));
  }
  return { segments };
}
