import { RadbridgeError } from '../domain/errors.js';
import { components, fieldText, segmentOf, value, type Hl7Message } from './hl7-message.js';

/**
 * HL7 v2.5.1 acknowledgements (chapter 2.9): original mode answers AA / AE / AR once the
 * application has dealt with the message; enhanced mode (MSH-15 set) answers a commit
 * acknowledgement CA / CE / CR once the message is safely received, when MSH-15 asks for one. Pure.
 */

export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

/** The outcome of receiving a message: accepted, an error in its content (AE/CE), or rejected as not processable (AR/CR). */
export type Outcome = { kind: 'accepted' } | { kind: 'error' | 'rejected'; text: string };

/** Original mode unless the sender asked for an accept acknowledgement in MSH-15. */
const isEnhancedMode = (message: Hl7Message): boolean => fieldText(segmentOf(message, 'MSH'), 15) !== '';

/** The code answering `outcome` in the message's acknowledgement mode. */
function ackCodeOf(message: Hl7Message, outcome: Outcome): AckCode {
  const enhanced = isEnhancedMode(message);
  if (outcome.kind === 'accepted') return enhanced ? 'CA' : 'AA';
  if (outcome.kind === 'error') return enhanced ? 'CE' : 'AE';
  return enhanced ? 'CR' : 'AR';
}

/** Whether MSH-15 (AL always, NE never, ER only on error, SU only on success) wants an acknowledgement for this outcome. */
export function wantsCommitAck(message: Hl7Message, outcome: Outcome): boolean {
  const type = fieldText(segmentOf(message, 'MSH'), 15);
  if (type === '' || type === 'AL') return true;
  if (type === 'NE') return false;
  return type === 'ER' ? outcome.kind !== 'accepted' : outcome.kind === 'accepted';
}

export interface AckContext {
  /** MSH-10 of the acknowledgement itself. */
  controlId: string;
  /** MSH-7, HL7 DTM. */
  timestamp: string;
}

/** The ACK answering `message`: sender and receiver swapped, MSA with the code and the message's MSH-10, ERR with the reason when not accepted. */
export function acknowledgement(message: Hl7Message, outcome: Outcome, context: AckContext): Hl7Message {
  const msh = segmentOf(message, 'MSH');
  const trigger = msh?.fields[8]?.[0]?.[1]?.[0] ?? '';
  const code = ackCodeOf(message, outcome);
  const segments: Hl7Message['segments'] = [
    {
      id: 'MSH',
      fields: [
        value('|'), value('^~\\&'),
        msh?.fields[4] ?? value(''), msh?.fields[5] ?? value(''), msh?.fields[2] ?? value(''), msh?.fields[3] ?? value(''),
        value(context.timestamp), value(''), components('ACK', trigger, 'ACK'), value(context.controlId),
        msh?.fields[10] ?? value('P'), msh?.fields[11] ?? value('2.5.1'),
      ],
    },
    { id: 'MSA', fields: [value(code), value(fieldText(msh, 10))] },
  ];
  // ERR-3 HL7 Error Code (table 0357): 207 application internal error, 200 unsupported / not processable.
  if (outcome.kind !== 'accepted') segments.push({ id: 'ERR', fields: [value(''), value(''), components(outcome.kind === 'error' ? '207' : '200', outcome.kind === 'error' ? 'Application internal error' : 'Unsupported message type', 'HL70357'), value('E'), value(''), value(''), value(''), value(outcome.text.slice(0, 250))] });
  return { segments };
}

/** MSA-1 and MSA-2 of a received acknowledgement; HL7_MALFORMED when it has no MSA or an unknown code. */
export function readAcknowledgement(ack: Hl7Message): { code: AckCode; controlId: string; text: string } {
  const msa = segmentOf(ack, 'MSA');
  const code = fieldText(msa, 1);
  if (!['AA', 'AE', 'AR', 'CA', 'CE', 'CR'].includes(code)) throw new RadbridgeError('HL7_MALFORMED', `the acknowledgement's MSA-1 is ${JSON.stringify(code)}, not an acknowledgement code`);
  return { code: code as AckCode, controlId: fieldText(msa, 2), text: fieldText(segmentOf(ack, 'ERR'), 8) || fieldText(msa, 3) };
}
