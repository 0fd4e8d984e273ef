import { RadbridgeError } from '../domain/errors.js';

/**
 * MLLP framing (HL7 v2.5.1 Appendix C, MLLP release 2): a message is sent as a start block 0x0B,
 * its bytes, and an end block 0x1C 0x0D. The payload never holds 0x0B or 0x1C, which the HL7
 * encoder escapes (hl7-message.ts). Pure, apart from the decoder's buffer.
 */

const START_BLOCK = 0x0b;
const END_BLOCK = 0x1c;
const CR = 0x0d;
const LF = 0x0a;

export function frame(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  if (body.includes(START_BLOCK) || body.includes(END_BLOCK)) throw new RadbridgeError('HL7_MALFORMED', 'an MLLP payload holds a block character (0x0B or 0x1C)');
  return Buffer.concat([Buffer.from([START_BLOCK]), body, Buffer.from([END_BLOCK, CR])]);
}

/**
 * Collects frames from a byte stream that arrives in any pieces. `push` returns the payloads of
 * the frames it completed; it throws HL7_FRAME_TOO_LARGE when a frame outgrows `maxFrameBytes`
 * and HL7_MALFORMED for bytes outside a frame (CR and LF between frames are tolerated), after which
 * the stream cannot be trusted and the connection should be closed.
 */
export class MllpDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private inFrame = false;

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (!this.inFrame) {
        const byte = chunk[at] ?? 0;
        if (byte === START_BLOCK) this.inFrame = true;
        else if (byte !== CR && byte !== LF) throw new RadbridgeError('HL7_MALFORMED', `byte 0x${byte.toString(16).padStart(2, '0')} outside an MLLP frame`);
        at++;
        continue;
      }
      const end = chunk.indexOf(END_BLOCK, at);
      const piece = chunk.subarray(at, end < 0 ? chunk.length : end);
      this.size += piece.length;
      if (this.size > this.maxFrameBytes) throw new RadbridgeError('HL7_FRAME_TOO_LARGE', `an MLLP frame exceeds ${this.maxFrameBytes} bytes`);
      if (piece.includes(START_BLOCK)) throw new RadbridgeError('HL7_MALFORMED', 'a start block (0x0B) inside an MLLP frame');
      this.parts.push(piece);
      if (end < 0) break;
      out.push(Buffer.concat(this.parts));
      this.parts = [];
      this.size = 0;
      this.inFrame = false;
      at = end + 1;
      // The CR after 0x1C may arrive in the next chunk; it is skipped there as a byte between frames.
      if (chunk[at] === CR) at++;
    }
    return out;
  }

  /** Bytes of an unfinished frame held. */
  get pending(): number {
    return this.size;
  }
}
