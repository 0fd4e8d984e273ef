import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

/**
 * The HL7 v2 messages the hub received, keyed by sender (MSH-3 and MSH-4) and MSH-10, with the
 * acknowledgement each was answered. A sender that did not get the acknowledgement sends the same
 * message again; finding it here, the receiver answers the recorded acknowledgement and does not
 * process the message twice.
 */

export interface ReceivedMessage {
  sender: string;
  controlId: string;
  messageType: string;
  message: string;
  ack: string;
}

export async function findReceived(db: Kysely<DB>, sender: string, controlId: string): Promise<string | undefined> {
  const row = await db.selectFrom('hl7_received').select('ack').where('sender', '=', sender).where('control_id', '=', controlId).executeTakeFirst();
  return row?.ack;
}

/** Records a message and its acknowledgement; one already recorded under the same key keeps its first acknowledgement, which is returned. */
export async function recordReceived(db: Kysely<DB>, m: ReceivedMessage, now: number): Promise<string> {
  await db
    .insertInto('hl7_received')
    .values({ sender: m.sender, control_id: m.controlId, message_type: m.messageType, message: m.message, ack: m.ack, received_at: now })
    .onConflict((oc) => oc.columns(['sender', 'control_id']).doNothing())
    .execute();
  return (await findReceived(db, m.sender, m.controlId)) ?? m.ack;
}
