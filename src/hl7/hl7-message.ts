import { RadbridgeError } from '../domain/errors.js';

/**
 * HL7 v2 messages (v2.5.1 chapter 2) as data, and their ER7 ("pipe") encoding. Pure.
 *
 * A field is its repetitions, a repetition its components, a component its subcomponents: every
 * level holds at least one element, so an empty field is [[['']]] and parse(encode(m)) gives m back
 * exactly. Encoding escapes every delimiter and the escape character in values (\F\ \S\ \T\ \R\
 * \E\) and writes every control character (CR, LF, the MLLP bytes 0x0B and 0x1C, ...) as \Xhh\,
 * so no value can end a segment, forge one or break MLLP framing (docs/adr/0022-hl7-v2-and-mllp.md).
 * MSH-1 and MSH-2 are the delimiters themselves and are written as they are.
 */

export type Hl7Field = string[][][];

export interface Hl7Segment {
  /** Three characters: MSH, PID, OBR, OBX, ... */
  id: string;
  /** fields[0] is field 1. */
  fields: Hl7Field[];
}

export interface Hl7Message {
  segments: Hl7Segment[];
}

export const FIELD_SEPARATOR = '|';
export const ENCODING_CHARACTERS = '^~\\&';
const COMPONENT = '^';
const REPETITION = '~';
const ESCAPE = '\\';
const SUBCOMPONENT = '&';
const SEGMENT_TERMINATOR = '\r';

const ESCAPES: Record<string, string> = { [FIELD_SEPARATOR]: 'F', [COMPONENT]: 'S', [SUBCOMPONENT]: 'T', [REPETITION]: 'R', [ESCAPE]: 'E' };
const UNESCAPES: Record<string, string> = Object.fromEntries(Object.entries(ESCAPES).map(([c, e]) => [e, c]));

/** A field of one plain value. */
export const value = (text: string): Hl7Field => [[[text]]];

/** A field of components (one repetition, no subcomponents). */
export const components = (...parts: string[]): Hl7Field => [parts.map((p) => [p])];

const isControl = (code: number): boolean => code < 0x20 || code === 0x7f;

export function escapeValue(text: string): string {
  let out = '';
  for (const ch of text) {
    const escaped = ESCAPES[ch];
    const code = ch.charCodeAt(0);
    if (escaped) out += `${ESCAPE}${escaped}${ESCAPE}`;
    else if (ch.length === 1 && isControl(code)) out += `${ESCAPE}X${code.toString(16).toUpperCase().padStart(2, '0')}${ESCAPE}`;
    else out += ch;
  }
  return out;
}

function unescapeValue(text: string): string {
  let out = '';
  for (let at = 0; at < text.length; ) {
    const ch = text[at] ?? '';
    if (ch !== ESCAPE) {
      out += ch;
      at++;
      continue;
    }
    const end = text.indexOf(ESCAPE, at + 1);
    if (end < 0) throw new RadbridgeError('HL7_MALFORMED', `an escape sequence is not closed: ${JSON.stringify(text.slice(at, at + 20))}`);
    const sequence = text.slice(at + 1, end);
    const plain = UNESCAPES[sequence];
    if (plain !== undefined) out += plain;
    else if (/^X([0-9A-Fa-f]{2})+$/.test(sequence)) out += Buffer.from(sequence.slice(1), 'hex').toString('latin1');
    else if (sequence === '.br') out += '\r';
    else throw new RadbridgeError('HL7_MALFORMED', `unknown escape sequence \\${sequence}\\`);
    at = end + 1;
  }
  return out;
}

function encodeField(field: Hl7Field): string {
  return field.map((repetition) => repetition.map((component) => component.map(escapeValue).join(SUBCOMPONENT)).join(COMPONENT)).join(REPETITION);
}

function decodeField(text: string): Hl7Field {
  return text.split(REPETITION).map((repetition) => repetition.split(COMPONENT).map((component) => component.split(SUBCOMPONENT).map(unescapeValue)));
}

function checkId(id: string): void {
  if (!/^[A-Z][A-Z0-9]{2}$/.test(id)) throw new RadbridgeError('HL7_MALFORMED', `segment id ${JSON.stringify(id)} is not three upper-case letters or digits`);
}

function encodeSegment(segment: Hl7Segment): string {
  checkId(segment.id);
  if (segment.id === 'MSH') return ['MSH', ENCODING_CHARACTERS, ...segment.fields.slice(2).map(encodeField)].join(FIELD_SEPARATOR);
  return [segment.id, ...segment.fields.map(encodeField)].join(FIELD_SEPARATOR);
}

/** The message as ER7 text, each segment ended by CR. */
export function encodeMessage(message: Hl7Message): string {
  if (message.segments[0]?.id !== 'MSH') throw new RadbridgeError('HL7_MALFORMED', 'a message starts with its MSH segment');
  return message.segments.map((s) => `${encodeSegment(s)}${SEGMENT_TERMINATOR}`).join('');
}

function decodeSegment(line: string, n: number): Hl7Segment {
  const id = line.slice(0, 3);
  checkId(id);
  if (line.length > 3 && line[3] !== FIELD_SEPARATOR) throw new RadbridgeError('HL7_MALFORMED', `segment ${n + 1} (${id}) does not continue with the field separator`);
  if (id !== 'MSH') return { id, fields: line.length > 3 ? line.slice(4).split(FIELD_SEPARATOR).map(decodeField) : [] };
  if (line.slice(4, 8) !== ENCODING_CHARACTERS || (line.length > 8 && line[8] !== FIELD_SEPARATOR)) {
    throw new RadbridgeError('HL7_MALFORMED', `MSH declares encoding characters ${JSON.stringify(line.slice(3, 9))}; only |^~\\& is accepted`);
  }
  const rest = line.length > 8 ? line.slice(9).split(FIELD_SEPARATOR).map(decodeField) : [];
  return { id, fields: [value(FIELD_SEPARATOR), value(ENCODING_CHARACTERS), ...rest] };
}

/** Parses ER7 text (segments ended by CR; a LF after it, or a final segment without one, is accepted). */
export function parseMessage(text: string): Hl7Message {
  const lines = text.split(/\r\n?|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0 || !lines[0]?.startsWith('MSH')) throw new RadbridgeError('HL7_MALFORMED', 'a message starts with its MSH segment');
  return { segments: lines.map(decodeSegment) };
}

/** Field `n` (1-based) of a segment as one plain value: its first repetition's first component's first subcomponent. */
export function fieldText(segment: Hl7Segment | undefined, n: number, component = 1): string {
  return segment?.fields[n - 1]?.[0]?.[component - 1]?.[0] ?? '';
}

/** MSH-9 as message code ^ trigger event, e.g. ADT^A01. */
export const messageTypeOf = (msh: Hl7Segment | undefined): string => `${fieldText(msh, 9)}^${fieldText(msh, 9, 2)}`;

export const segmentOf = (message: Hl7Message, id: string): Hl7Segment | undefined => message.segments.find((s) => s.id === id);
