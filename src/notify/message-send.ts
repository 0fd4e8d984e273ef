import { PermanentJobError, type JobHandler } from '../jobs/job-engine.js';
import { findAlert } from '../store/alerts.js';
import { earlierUnsent, findMessage, recordMessageSent, type MessageEntry } from '../store/message-outbox.js';
import type { Delivery } from './delivery.js';
import { sendFhir } from './fhir-send.js';
import { sendHl7 } from './hl7-send.js';
import type { NotifyDeps } from './notify-deps.js';
import { sendWebhook } from './webhook-send.js';

/**
 * Runs a 'message.send' job: sends one message of the message outbox by its channel (HL7 v2 over
 * MLLP, a FHIR bundle, a signed webhook), the same message on every try, after every message
 * queued before it for that destination. A message telling of an alert someone has acknowledged
 * is withdrawn instead of sent. Transient failures are retried with the engine's backoff; a
 * refusal that the same message would meet again dead-letters the job with the receiver's reason.
 */

function send(deps: NotifyDeps, entry: MessageEntry, signal: AbortSignal): Promise<Delivery> {
  switch (entry.channel) {
    case 'hl7':
      return sendHl7(deps.config, entry);
    case 'fhir':
      return sendFhir(deps.config, deps.secrets, entry, signal);
    case 'webhook':
      return sendWebhook(deps.config, deps.secrets, entry, deps.now(), signal);
  }
}

export function messageSendHandler(deps: NotifyDeps): JobHandler<'message.send'> {
  return async (payload, ctx) => {
    const entry = await findMessage(deps.database.db, payload.messageId);
    if (!entry) throw new PermanentJobError(`message ${payload.messageId} is not in the message outbox`);
    const log = deps.log.child({ component: 'message-outbox', jobId: ctx.jobId, studyUid: entry.studyUid, channel: entry.channel, destination: entry.destination, controlId: entry.controlId });
    if (entry.alertId && (await findAlert(deps.database.db, entry.alertId))?.state === 'acknowledged') {
      log.info({ messageKey: entry.messageKey, alertId: entry.alertId }, 'alert message withdrawn: the alert was acknowledged first');
      return;
    }
    const earlier = await earlierUnsent(deps.database.db, entry);
    if (earlier) throw new Error(`waits for message ${earlier.id} (${earlier.messageKey}), queued before it for ${entry.destination}`);
    const delivery = await send(deps, entry, ctx.signal);
    await recordMessageSent(deps.database, entry, delivery.sentTo, delivery.reply, deps.now());
    log.info({ messageKey: entry.messageKey, attempt: ctx.attempt, ...delivery.detail }, 'message sent');
  };
}
