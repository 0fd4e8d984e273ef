import net from 'node:net';
import tls from 'node:tls';
import { readAcknowledgement, type AckCode } from '../../hl7/acknowledgement.js';
import { parseMessage } from '../../hl7/hl7-message.js';
import { frame, MllpDecoder } from '../../hl7/mllp-framing.js';

/**
 * The MLLP sender: one connection to one peer, one message outstanding on it at a time (the next
 * waits for the acknowledgement of the one before, so order is kept), reconnecting when needed.
 * A message gets its acknowledgement or a failure: the peer cannot be reached, closes the
 * connection, or does not answer within `ackTimeoutMs`. After a failure the connection is closed,
 * as a late acknowledgement could be taken for the next message's (docs/adr/0022).
 */

export interface MllpPeer {
  host: string;
  port: number;
  /** TLS options (servername, ca, cert, key) when the peer speaks MLLP over TLS. */
  tls?: tls.ConnectionOptions;
}

export interface MllpClientOptions {
  connectTimeoutMs: number;
  ackTimeoutMs: number;
  maxFrameBytes: number;
}

export interface MllpAck {
  code: AckCode;
  /** MSA-2: the MSH-10 of the message acknowledged. */
  controlId: string;
  /** The reason given with an error or a rejection. */
  text: string;
  /** The acknowledgement as received. */
  raw: string;
}

/** Why a send failed before an acknowledgement came; all are worth a retry. */
export class MllpSendError extends Error {
  constructor(
    readonly reason: 'unreachable' | 'closed' | 'timeout' | 'garbled',
    message: string,
  ) {
    super(message);
    this.name = 'MllpSendError';
  }
}

export class MllpClient {
  private socket: net.Socket | undefined;
  private waiting: { resolve: (payload: Buffer) => void; reject: (err: Error) => void } | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly peer: MllpPeer,
    private readonly options: MllpClientOptions,
  ) {}

  /** Sends one ER7 message and resolves with its acknowledgement (whatever its code); rejects with MllpSendError. */
  send(message: string): Promise<MllpAck> {
    const sent = this.chain.then(() => this.exchange(message));
    this.chain = sent.catch(() => undefined);
    return sent;
  }

  close(): void {
    this.drop(new MllpSendError('closed', 'the client was closed'));
  }

  private async exchange(message: string): Promise<MllpAck> {
    const socket = await this.connected();
    const payload = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.drop(new MllpSendError('timeout', `no acknowledgement from ${this.name} within ${this.options.ackTimeoutMs} ms`)), this.options.ackTimeoutMs);
      this.waiting = {
        resolve: (p) => (clearTimeout(timer), resolve(p)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      };
      socket.write(frame(message));
    });
    try {
      const raw = payload.toString('utf8');
      return { ...readAcknowledgement(parseMessage(raw)), raw };
    } catch (err) {
      const garbled = new MllpSendError('garbled', `the acknowledgement from ${this.name} cannot be read: ${(err as Error).message}`);
      this.drop(garbled);
      throw garbled;
    }
  }

  private get name(): string {
    return `${this.peer.host}:${this.peer.port}`;
  }

  private connected(): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    return new Promise((resolve, reject) => {
      const ready = this.peer.tls ? 'secureConnect' : 'connect';
      const socket = this.peer.tls ? tls.connect({ ...this.peer.tls, host: this.peer.host, port: this.peer.port }) : net.connect({ host: this.peer.host, port: this.peer.port });
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        reject(new MllpSendError('unreachable', `${this.name} cannot be reached: ${err.message}`));
      };
      socket.once('error', fail);
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.off('error', fail);
        this.attach(socket);
        resolve(socket);
      });
    });
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    const decoder = new MllpDecoder(this.options.maxFrameBytes);
    // A socket already given up (timed out, replaced) must not touch the one after it.
    const current = (): boolean => this.socket === socket;
    socket.on('data', (chunk: Buffer) => {
      if (!current()) return;
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.drop(new MllpSendError('garbled', `${this.name} sent bytes that are not MLLP: ${(err as Error).message}`));
        return;
      }
      for (const payload of frames) {
        const waiting = this.waiting;
        this.waiting = undefined;
        if (waiting) waiting.resolve(payload);
        else this.drop(new MllpSendError('garbled', `${this.name} sent a frame nothing was waiting for`));
      }
    });
    socket.on('error', (err) => {
      if (current()) this.drop(new MllpSendError('closed', `${this.name} connection failed: ${err.message}`));
    });
    socket.on('close', () => {
      if (current()) this.drop(new MllpSendError('closed', `${this.name} closed the connection before acknowledging`));
    });
  }

  /** Closes the connection and fails the message waiting on it, if any. */
  private drop(err: MllpSendError): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    waiting?.reject(err);
  }
}
