import { fieldText, messageTypeOf, segmentOf, type Hl7Message } from './hl7-message.js';

/**
 * What routing and triage can use from a RIS or EHR message: the patient, the order (accession
 * number, its priority) and the trauma activation level. ADT^A01/A04/A08 give the patient and the
 * visit; ORM^O01 and OMI^O23 an order. The activation level has no standard field, so a site names
 * the field that carries it (e.g. "PV2-25" or "ZTA-1"). Pure.
 */

export interface OrderContext {
  messageType: string;
  patientId: string;
  /** ORM: OBR-18 (placer field 1, where RIS put it) or OBR-3 (filler order number); OMI: IPC-1. */
  accessionNumber?: string;
  /** TQ1-9 or ORC-7.6: S stat, A ASAP, R routine. */
  priority?: string;
  traumaActivation?: string;
}

export const SUPPORTED_TYPES = ['ADT^A01', 'ADT^A04', 'ADT^A08', 'ORM^O01', 'OMI^O23'] as const;

/** "SEG-n" (field n of the first such segment) or "SEG-n.c" (its component c). */
function fieldAt(message: Hl7Message, path: string): string {
  const match = /^([A-Z][A-Z0-9]{2})-(\d+)(?:\.(\d+))?$/.exec(path);
  if (!match) return '';
  return fieldText(segmentOf(message, match[1] ?? ''), Number(match[2]), match[3] ? Number(match[3]) : 1);
}

const nonEmpty = (...values: string[]): string | undefined => values.find((v) => v !== '');

/** The context a message carries; undefined for a message type it does not read. */
export function orderContextOf(message: Hl7Message, traumaActivationField?: string): OrderContext | undefined {
  const messageType = messageTypeOf(segmentOf(message, 'MSH'));
  if (!(SUPPORTED_TYPES as readonly string[]).includes(messageType)) return undefined;
  const obr = segmentOf(message, 'OBR');
  const accessionNumber = messageType === 'OMI^O23' ? nonEmpty(fieldText(segmentOf(message, 'IPC'), 1), fieldText(obr, 18)) : nonEmpty(fieldText(obr, 18), fieldText(obr, 3));
  const priority = nonEmpty(fieldText(segmentOf(message, 'TQ1'), 9), fieldText(segmentOf(message, 'ORC'), 7, 6));
  const traumaActivation = traumaActivationField ? nonEmpty(fieldAt(message, traumaActivationField)) : undefined;
  return {
    messageType,
    patientId: fieldText(segmentOf(message, 'PID'), 3),
    ...(accessionNumber ? { accessionNumber } : {}),
    ...(priority ? { priority } : {}),
    ...(traumaActivation ? { traumaActivation } : {}),
  };
}
