import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { startMllpServer, type MllpListener } from '../adapters/mllp/mllp-server.js';
import type { Config } from '../config/schema.js';
import type { Outcome } from '../hl7/acknowledgement.js';
import { fieldText, messageTypeOf, segmentOf, type Hl7Message } from '../hl7/hl7-message.js';
import { orderContextOf, SUPPORTED_TYPES } from '../hl7/order-context.js';
import type { Database } from '../store/database.js';
import { recordOrderContext } from '../store/order-context.js';

/**
 * The hub's HL7 v2 receiver (hl7.listen): ADT, ORM and OMI messages are read for patient, order and
 * trauma activation context and recorded; other message types are rejected (AR, ERR 200 unsupported
 * message type), as are messages without a patient ID (AE).
 */

function handleInbound(database: Database, traumaActivationField: string | undefined, now: () => number) {
  return async (message: Hl7Message): Promise<Outcome> => {
    const context = orderContextOf(message, traumaActivationField);
    if (!context) return { kind: 'rejected', text: `message type ${messageTypeOf(segmentOf(message, 'MSH'))} is not read here; accepted: ${SUPPORTED_TYPES.join(', ')}` };
    if (context.patientId === '') return { kind: 'error', text: `PID-3 (patient ID) is empty in ${context.messageType} ${fieldText(segmentOf(message, 'MSH'), 10)}` };
    await recordOrderContext(database.db, context, now());
    return { kind: 'accepted' };
  };
}

/** Starts the receiver when hl7.listen.port is set. */
export async function startHl7Receiver(config: Config['hl7']['listen'], deps: { database: Database; log: Logger; now: () => number }): Promise<MllpListener | undefined> {
  if (config.port === undefined) return undefined;
  const tls = config.tls && {
    cert: readFileSync(config.tls.certFile),
    key: readFileSync(config.tls.keyFile),
    ...(config.tls.caFile ? { ca: readFileSync(config.tls.caFile), requestCert: true, rejectUnauthorized: true } : {}),
  };
  return startMllpServer(
    { host: config.host, port: config.port, maxFrameBytes: config.maxFrameBytes, idleTimeoutMs: config.idleTimeoutMs, ...(tls ? { tls } : {}) },
    { db: deps.database.db, log: deps.log.child({ component: 'hl7-receiver' }), now: deps.now, handle: handleInbound(deps.database, config.traumaActivationField, deps.now) },
  );
}
