import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMessage, escapeValue, parseMessage, value, type Hl7Field, type Hl7Message } from '../src/hl7/hl7-message.js';
import { frame, MllpDecoder } from '../src/hl7/mllp-framing.js';
import { seededRandom, type SeededRandom } from '../src/synth/seeded-random.js';

/** Characters that try to break the encoding: delimiters, the escape, segment and MLLP bytes, control characters, non-ASCII. */
const HOSTILE = ['|', '^', '~', '\\', '&', '\r', '\n', '\r\n', '\x0b', '\x1c', '\x1c\r', '\x00', '\x7f', '\t', 'MSH|', '\\F\\', '\\X0D\\', 'é', 'Ω', '🩻', ' ', 'a', 'Z', '0'];

function hostileText(random: SeededRandom): string {
  const n = Math.floor(random.next() * 6);
  return Array.from({ length: n }, () => HOSTILE[Math.floor(random.next() * HOSTILE.length)] ?? '').join('');
}

const some = <T>(random: SeededRandom, max: number, make: () => T): T[] => Array.from({ length: 1 + Math.floor(random.next() * max) }, make);

function hostileField(random: SeededRandom): Hl7Field {
  return some(random, 3, () => some(random, 3, () => some(random, 2, () => hostileText(random))));
}

function hostileMessage(random: SeededRandom): Hl7Message {
  const msh = { id: 'MSH', fields: [value('|'), value('^~\\&'), ...some(random, 10, () => hostileField(random))] };
  const others = some(random, 4, () => ({ id: ['PID', 'OBR', 'OBX', 'ZRB'][Math.floor(random.next() * 4)] ?? 'OBX', fields: some(random, 8, () => hostileField(random)) }));
  return { segments: [msh, ...others] };
}

describe('HL7 v2 messages', () => {
  it('parse back into the message they were encoded from, for hostile values, and no value breaks a segment or a frame', () => {
    const random = seededRandom(8, 'hl7-hostile');
    for (let trial = 0; trial < 500; trial++) {
      const message = hostileMessage(random);
      const text = encodeMessage(message);
      assert.equal(text.split('\r').length - 1, message.segments.length, 'one CR per segment, none inside a value');
      assert.ok(!/[\x00-\x0c\x0e-\x1f\x7f]/.test(text), 'no control character other than the segment CR');
      assert.deepEqual(parseMessage(text), message);
      const decoder = new MllpDecoder(1 << 20);
      const framed = frame(text);
      const payloads = [...decoder.push(framed.subarray(0, 7)), ...decoder.push(framed.subarray(7))];
      assert.deepEqual(payloads.map((p) => p.toString('utf8')), [text]);
    }
  });

  it('escapes delimiters and control characters as HL7 escape sequences', () => {
    assert.equal(escapeValue('a|b^c~d\\e&f'), 'a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f');
    assert.equal(escapeValue('x\r\x0b\x1cy'), 'x\\X0D\\\\X0B\\\\X1C\\y');
    assert.equal(encodeMessage({ segments: [{ id: 'MSH', fields: [value('|'), value('^~\\&'), value('RADBRIDGE')] }, { id: 'OBX', fields: [value('1'), [[['a', 'b'], ['c']], [['d']]]] }] }), 'MSH|^~\\&|RADBRIDGE\rOBX|1|a&b^c~d\r');
  });

  it('refuses text that is not a message, naming the problem', () => {
    const refuses = (text: string, pattern: RegExp) => assert.throws(() => parseMessage(text), (err: Error & { code?: string }) => err.code === 'HL7_MALFORMED' && pattern.test(err.message));
    refuses('', /starts with its MSH segment/);
    refuses('PID|1\r', /starts with its MSH segment/);
    refuses('MSH#^~\\&|A\r', /does not continue with the field separator/);
    refuses('MSH|^~\\#|A\r', /only \|\^~\\& is accepted/);
    refuses('MSH|^~\\&|A\rpid|1\r', /segment id "pid"/);
    refuses('MSH|^~\\&|A\\F\r', /not closed/);
    refuses('MSH|^~\\&|A\\Q\\\r', /unknown escape sequence \\Q\\/);
    assert.throws(() => encodeMessage({ segments: [{ id: 'PID', fields: [] }] }), /starts with its MSH segment/);
  });
});

describe('MLLP framing', () => {
  it('collects frames split anywhere and several in one chunk, tolerating CR and LF between them', () => {
    const frames = Buffer.concat([frame('MSH|^~\\&|1\r'), Buffer.from('\r\n'), frame('MSH|^~\\&|2\r'), frame('MSH|^~\\&|3\r')]);
    for (let cut = 0; cut <= frames.length; cut++) {
      const decoder = new MllpDecoder(100);
      const got = [...decoder.push(frames.subarray(0, cut)), ...decoder.push(frames.subarray(cut))].map((b) => b.toString());
      assert.deepEqual(got, ['MSH|^~\\&|1\r', 'MSH|^~\\&|2\r', 'MSH|^~\\&|3\r'], `cut at ${cut}`);
      assert.equal(decoder.pending, 0);
    }
  });

  it('refuses a frame over the maximum size, bytes outside a frame, a start block inside one, and a payload holding a block byte', () => {
    const over = new MllpDecoder(10);
    over.push(Buffer.from([0x0b, ...Buffer.from('MSH|^~')]));
    assert.throws(() => over.push(Buffer.from('\\&|12345')), (err: Error & { code?: string }) => err.code === 'HL7_FRAME_TOO_LARGE');
    assert.throws(() => new MllpDecoder(100).push(Buffer.from('MSH')), (err: Error & { code?: string }) => err.code === 'HL7_MALFORMED' && /outside an MLLP frame/.test(err.message));
    assert.throws(() => new MllpDecoder(100).push(Buffer.from([0x0b, 0x41, 0x0b])), /start block \(0x0B\) inside/);
    assert.throws(() => frame('a\x1cb'), /block character/);
  });
});
