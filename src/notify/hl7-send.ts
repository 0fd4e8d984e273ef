import { readFileSync } from 'node:fs';
import { MllpClient, MllpSendError, type MllpPeer } from '../adapters/mllp/mllp-client.js';
import type { Config, MllpPeerConfig } from '../config/schema.js';
import { PermanentJobError } from '../jobs/job-engine.js';
import type { MessageEntry } from '../store/message-outbox.js';
import type { Delivery } from './delivery.js';

/**
 * One HL7 v2 message of the outbox to its peer over MLLP (docs/adr/0022-hl7-v2-and-mllp.md). What
 * the acknowledgement says decides what happens:
 *
 * - AA / CA: sent; the acknowledgement is kept.
 * - AR / CR: the receiver could not take it now (down, busy, sequence problem): tried again.
 * - AE / CE: the receiver found an error in it; sending the same bytes again cannot help, so the job
 *   is dead-lettered with the receiver's reason (POST /api/jobs/{id}/retry queues it again).
 * - No acknowledgement (unreachable, closed, timed out, garbled, or one for another MSH-10): tried
 *   again; the receiver recognises a message it already has by its MSH-10.
 */

function peerOf(config: MllpPeerConfig): MllpPeer {
  const { tls } = config;
  if (!tls) return { host: config.host, port: config.port };
  return {
    host: config.host,
    port: config.port,
    tls: {
      ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
      ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
      ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
      ...(tls.servername ? { servername: tls.servername } : {}),
    },
  };
}

export async function sendHl7(config: Pick<Config, 'hl7'>, entry: MessageEntry): Promise<Delivery> {
  const peer = config.hl7.peers[entry.destination];
  if (!peer) throw new PermanentJobError(`HL7 peer "${entry.destination}" is not configured (hl7.peers)`);
  const client = new MllpClient(peerOf(peer), peer);
  let ack;
  try {
    ack = await client.send(entry.body);
  } catch (err) {
    if (err instanceof MllpSendError) throw new Error(`${entry.destination}: ${err.message}`, { cause: err });
    throw err;
  } finally {
    client.close();
  }
  if (ack.controlId !== entry.controlId) throw new Error(`${entry.destination} acknowledged MSH-10 ${ack.controlId}, not ${entry.controlId}`);
  if (ack.code === 'AE' || ack.code === 'CE') throw new PermanentJobError(`${entry.destination} answered ${ack.code}: ${ack.text || 'no reason given'}`);
  if (ack.code === 'AR' || ack.code === 'CR') throw new Error(`${entry.destination} answered ${ack.code}: ${ack.text || 'no reason given'}`);
  return { sentTo: `${peer.host}:${peer.port}`, reply: ack.raw, detail: { code: ack.code } };
}
