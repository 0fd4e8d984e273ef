import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { acknowledgement, wantsCommitAck, type Outcome } from '../../hl7/acknowledgement.js';
import { hl7Timestamp } from '../../hl7/hl7-timestamp.js';
import { encodeMessage, fieldText, messageTypeOf, parseMessage, segmentOf, value, type Hl7Message } from '../../hl7/hl7-message.js';
import { frame, MllpDecoder } from '../../hl7/mllp-framing.js';
import { findReceived, recordReceived } from '../../store/hl7-received.js';
import type { DB } from '../../store/schema.js';

/**
 * The MLLP receiver: frames in, acknowledgements out, one message at a time per connection in the
 * order it arrived. A message is handed to `handle` once: one seen before (same sender, MSH-3 and
 * MSH-4, and MSH-10) is answered the acknowledgement it got then and not handled again. Original
 * mode answers AA/AE/AR after handling; enhanced mode (MSH-15 set) a commit acknowledgement
 * CA/CE/CR as MSH-15 asks. A message that cannot be parsed is rejected (AR/CR) and not recorded; a
 * frame over `maxFrameBytes` or bytes outside a frame close the connection (docs/adr/0022).
 */

export interface MllpServerOptions {
  host: string;
  port: number;
  maxFrameBytes: number;
  /** A connection silent this long is closed. */
  idleTimeoutMs: number;
  /** TLS, when the receiver must not accept plain TCP. */
  tls?: tls.TlsOptions;
}

export interface MllpServerDeps {
  db: Kysely<DB>;
  log: Logger;
  now: () => number;
  /** Deals with one message; a thrown error is answered AE with its message. */
  handle: (message: Hl7Message, text: string) => Promise<Outcome>;
}

export interface MllpListener {
  port: number;
  close(): Promise<void>;
}

const newControlId = (): string => randomBytes(8).toString('hex');

/** The MSH of a message that does not parse, read field by field without unescaping, so a rejection can still name its MSH-10. */
function roughMessage(text: string): Hl7Message {
  const fields = (text.split(/\r|\n/)[0] ?? '').split('|').slice(1).map((f) => value(f));
  return { segments: [{ id: 'MSH', fields: [value('|'), ...fields] }] };
}

/** Messages being handled, by sender and MSH-10: a repeat arriving on another connection meanwhile waits for the first's acknowledgement instead of being handled again. */
type InFlight = Map<string, Promise<string | undefined>>;

async function answer(deps: MllpServerDeps, text: string, peer: string, inFlight: InFlight): Promise<string | undefined> {
  let message: Hl7Message;
  try {
    message = parseMessage(text);
  } catch (err) {
    deps.log.warn({ peer, err: (err as Error).message }, 'HL7 message rejected');
    const rough = roughMessage(text);
    return encodeMessage(acknowledgement(rough, { kind: 'rejected', text: (err as Error).message }, { controlId: newControlId(), timestamp: hl7Timestamp(deps.now()) }));
  }
  const msh = segmentOf(message, 'MSH');
  const sender = `${fieldText(msh, 3)}|${fieldText(msh, 4)}`;
  const controlId = fieldText(msh, 10);
  const key = `${sender}|${controlId}`;
  const running = controlId === '' ? undefined : inFlight.get(key);
  if (running) return running;
  const earlier = controlId === '' ? undefined : await findReceived(deps.db, sender, controlId);
  if (earlier !== undefined) {
    deps.log.info({ peer, sender, controlId }, 'HL7 message received again: answered as before');
    return earlier;
  }
  if (controlId === '') return handleOnce(deps, message, text, { peer, sender, controlId });
  const handled = handleOnce(deps, message, text, { peer, sender, controlId }).finally(() => inFlight.delete(key));
  inFlight.set(key, handled);
  return handled;
}

/** Handles a message not seen before, records it with its acknowledgement (unless rejected: a rejected message may come again and be handled then), and returns the acknowledgement to send, if any. */
async function handleOnce(deps: MllpServerDeps, message: Hl7Message, text: string, from: { peer: string; sender: string; controlId: string }): Promise<string | undefined> {
  const { peer, sender, controlId } = from;
  const msh = segmentOf(message, 'MSH');
  let outcome: Outcome;
  try {
    outcome = await deps.handle(message, text);
  } catch (err) {
    outcome = { kind: 'error', text: (err as Error).message };
  }
  const ack = encodeMessage(acknowledgement(message, outcome, { controlId: newControlId(), timestamp: hl7Timestamp(deps.now()) }));
  const recorded = controlId === '' || outcome.kind === 'rejected' ? ack : await recordReceived(deps.db, { sender, controlId, messageType: messageTypeOf(msh), message: text, ack }, deps.now());
  deps.log.info({ peer, sender, controlId, outcome: outcome.kind }, 'HL7 message received');
  return wantsCommitAck(message, outcome) ? recorded : undefined;
}

function serve(socket: net.Socket, options: MllpServerOptions, deps: MllpServerDeps, inFlight: InFlight): void {
  const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  const decoder = new MllpDecoder(options.maxFrameBytes);
  let queue = Promise.resolve();
  socket.setTimeout(options.idleTimeoutMs, () => socket.destroy());
  socket.on('error', (err) => deps.log.debug({ peer, err: err.message }, 'MLLP connection error'));
  socket.on('data', (chunk: Buffer) => {
    let frames: Buffer[];
    try {
      frames = decoder.push(chunk);
    } catch (err) {
      deps.log.warn({ peer, err: (err as Error).message }, 'MLLP connection closed');
      socket.destroy();
      return;
    }
    for (const payload of frames) {
      queue = queue.then(async () => {
        const ack = await answer(deps, payload.toString('utf8'), peer, inFlight);
        if (ack !== undefined && !socket.destroyed) socket.write(frame(ack));
      }).catch((err: unknown) => {
        deps.log.error({ peer, err: (err as Error).message }, 'HL7 message could not be answered');
        socket.destroy();
      });
    }
  });
}

export async function startMllpServer(options: MllpServerOptions, deps: MllpServerDeps): Promise<MllpListener> {
  const sockets = new Set<net.Socket>();
  const inFlight: InFlight = new Map();
  const onConnection = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serve(socket, options, deps, inFlight);
  };
  const server = options.tls ? tls.createServer(options.tls, onConnection) : net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
