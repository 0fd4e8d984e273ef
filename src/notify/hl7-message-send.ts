import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { MllpClient, MllpSendError, type MllpPeer } from '../adapters/mllp/mllp-client.js';
import type { Config, MllpPeerConfig } from '../config/schema.js';
import { PermanentJobError, type JobHandler } from '../jobs/job-engine.js';
import type { Database } from '../store/database.js';
import { earlierUnsent, findMessage, recordMessageSent } from '../store/message-outbox.js';

/**
 * Runs a 'message.send' job: sends one message of the message outbox to its HL7 v2 peer over MLLP,
 * the same bytes (and MSH-10) on every try, after every message queued before it for that peer
 * (docs/adr/0022-hl7-v2-and-mllp.md). What the acknowledgement says decides what happens:
 *
 * - AA / CA: sent; the acknowledgement is kept and the send audited.
 * - AR / CR: the receiver could not take it now (down, busy, sequence problem): tried again with the
 *   engine's backoff, up to `hl7.maxAttempts`.
 * - AE / CE: the receiver found an error in it; sending the same bytes again cannot help, so the job
 *   is dead-lettered with the receiver's reason (POST /api/jobs/{id}/retry queues it again).
 * - No acknowledgement (unreachable, closed, timed out, garbled, or one for another MSH-10): tried
 *   again; the receiver recognises a message it already has by its MSH-10.
 */

export interface MessageSendDeps {
  config: Pick<Config, 'hl7'>;
  database: Database;
  log: Logger;
  now: () => number;
}

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

export function messageSendHandler(deps: MessageSendDeps): JobHandler<'message.send'> {
  return async (payload, ctx) => {
    const entry = await findMessage(deps.database.db, payload.messageId);
    if (!entry) throw new PermanentJobError(`message ${payload.messageId} is not in the message outbox`);
    const peer = deps.config.hl7.peers[entry.destination];
    if (!peer) throw new PermanentJobError(`HL7 peer "${entry.destination}" is not configured (hl7.peers)`);
    const earlier = await earlierUnsent(deps.database.db, entry);
    if (earlier) throw new Error(`waits for message ${earlier.id} (${earlier.messageKey}), queued before it for ${entry.destination}`);
    const client = new MllpClient(peerOf(peer), peer);
    const log = deps.log.child({ component: 'message-outbox', jobId: ctx.jobId, studyUid: entry.studyUid, destination: entry.destination, controlId: entry.controlId });
    const sentTo = `${peer.host}:${peer.port}`;
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
    await recordMessageSent(deps.database, entry, sentTo, ack.raw, deps.now());
    log.info({ messageKey: entry.messageKey, code: ack.code, attempt: ctx.attempt }, 'HL7 message sent');
  };
}
