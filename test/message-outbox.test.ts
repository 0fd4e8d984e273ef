import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startMllpServer, type MllpListener } from '../src/adapters/mllp/mllp-server.js';
import type { Outcome } from '../src/hl7/acknowledgement.js';
import { components, encodeMessage, fieldText, segmentOf, value, type Hl7Message } from '../src/hl7/hl7-message.js';
import { frame, MllpDecoder } from '../src/hl7/mllp-framing.js';
import { listMessages, queueMessages, type MessageStatus } from '../src/store/message-outbox.js';
import { freePort } from './support/interop.js';
import { openTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestHub, type TestHub } from './support/test-hub.js';
import { until } from './support/until.js';

/**
 * The message outbox through the hub's job engine to a real MLLP receiver on a free port: the
 * receiver down for a while, slow, answering AR or AE, or cutting its acknowledgement mid-frame;
 * no message is lost and none is handled twice.
 */

const STUDY = '1.2.826.0.1.3680043.10.999.8.1';

function oru(controlId: string): string {
  const message: Hl7Message = {
    segments: [
      { id: 'MSH', fields: [value('|'), value('^~\\&'), value('RADBRIDGE'), value('HOSP'), value('RIS'), value('TRAUMA'), value('20261203110000'), value(''), components('ORU', 'R01', 'ORU_R01'), value(controlId), value('P'), value('2.5.1')] },
      { id: 'OBR', fields: [value('1'), value(''), value(`ACC-${controlId}`)] },
    ],
  };
  return encodeMessage(message);
}

describe('message outbox to an MLLP receiver', () => {
  let hub: TestHub;
  let index: TestDatabase;
  let receiver: MllpListener | undefined;
  let receiverPort = 0;
  let cutterPort = 0;
  let cutter: net.Server;
  const handled: string[] = [];
  /** What the receiver does with a message, by MSH-10: a delay first, then an outcome. */
  const plan = new Map<string, { delayMs?: number; outcomes: Outcome[] }>();

  const queue = (destination: string, ...ids: string[]) =>
    queueMessages(hub.app.database, ids.map((id) => ({ studyUid: STUDY, channel: 'hl7', destination, messageKey: `test/${id}`, controlId: id, body: oru(id) })), Date.now(), { maxAttempts: 1000 });
  const statusOf = async (id: string): Promise<MessageStatus | undefined> => (await listMessages(hub.app.database.db, { studyUid: STUDY })).find((m) => m.controlId === id);
  const settled = (id: string) => until(`${id} sent or failed`, async () => {
    const s = await statusOf(id);
    return s && (s.status === 'sent' || s.status === 'failed') ? s : undefined;
  }, 30_000);

  const startReceiver = async () => {
    receiver = await startMllpServer(
      { host: '127.0.0.1', port: receiverPort, maxFrameBytes: 1 << 20, idleTimeoutMs: 10_000 },
      {
        db: index.database.db,
        log: pino({ level: 'silent' }),
        now: () => Date.now(),
        handle: async (message) => {
          const id = fieldText(segmentOf(message, 'MSH'), 10);
          const step = plan.get(id);
          if (step?.delayMs) {
            const delay = step.delayMs;
            delete step.delayMs;
            await new Promise((resolve) => setTimeout(resolve, delay));
          }
          const outcome = step?.outcomes.shift() ?? { kind: 'accepted' };
          if (outcome.kind !== 'rejected') handled.push(id);
          return outcome;
        },
      },
    );
  };

  before(async () => {
    index = await openTestDatabase('sqlite');
    receiverPort = await freePort();
    // A receiver that cuts its first acknowledgement mid-frame, then answers AA.
    let cuts = 0;
    cutter = net.createServer((socket) => {
      const decoder = new MllpDecoder(1 << 20);
      socket.on('data', (chunk: Buffer) => {
        for (const payload of decoder.push(chunk)) {
          const id = payload.toString().split('|')[9] ?? '';
          handled.push(`cutter:${id}`);
          const ack = frame(`MSH|^~\\&|RIS|TRAUMA|RADBRIDGE|HOSP|20261203||ACK^R01^ACK|A${id}|P|2.5.1\rMSA|AA|${id}\r`);
          if (cuts++ === 0) {
            socket.write(ack.subarray(0, 12));
            socket.destroy();
          } else socket.write(ack);
        }
      });
    });
    await new Promise<void>((resolve) => cutter.listen(0, '127.0.0.1', resolve));
    cutterPort = (cutter.address() as net.AddressInfo).port;
    hub = await startTestHub({
      jobs: { pollIntervalMs: 20, backoffBaseMs: 50, backoffMaxMs: 200 },
      hl7: {
        peers: {
          ris: { host: '127.0.0.1', port: receiverPort, connectTimeoutMs: 500, ackTimeoutMs: 400 },
          cutter: { host: '127.0.0.1', port: cutterPort, connectTimeoutMs: 500, ackTimeoutMs: 400 },
        },
      },
    });
  });
  after(async () => {
    await hub?.stop();
    await receiver?.close();
    await new Promise((resolve) => cutter?.close(resolve));
    await index?.remove();
  });

  it('keeps messages while the receiver is down, then delivers each once and in order, through a slow answer and an AR', async () => {
    plan.set('M-1', { delayMs: 700, outcomes: [] });
    plan.set('M-2', { outcomes: [{ kind: 'rejected', text: 'sequence not ready' }] });
    await queue('ris', 'M-1', 'M-2', 'M-3');
    const waiting = await until('M-1 tried while the receiver is down', async () => {
      const s = await statusOf('M-1');
      return s && s.attempts >= 2 ? s : undefined;
    }, 10_000);
    assert.equal(waiting.status === 'pending' || waiting.status === 'running', true);
    assert.match(waiting.lastError ?? '', /cannot be reached/);
    assert.match((await statusOf('M-2'))?.lastError ?? '', /waits for message/, 'a later message waits for the one before');
    await startReceiver();
    const sent = await Promise.all(['M-1', 'M-2', 'M-3'].map(settled));
    assert.deepEqual(sent.map((s) => s.status), ['sent', 'sent', 'sent']);
    assert.deepEqual(handled.filter((h) => h.startsWith('M-')), ['M-1', 'M-2', 'M-3'], 'each handled once, in order, though M-1 was sent again after its slow answer and M-2 after its AR');
    assert.match(sent[0]?.reply ?? '', /MSA\|AA\|M-1/);
    assert.ok((sent[0]?.attempts ?? 0) > 2 && (sent[1]?.attempts ?? 0) >= 2);
  });

  it('dead-letters a message the receiver answers AE, with its reason, and the next message still goes', async () => {
    plan.set('M-4', { outcomes: [{ kind: 'error', text: 'unknown accession number' }] });
    await queue('ris', 'M-4', 'M-5');
    const [refused, next] = await Promise.all(['M-4', 'M-5'].map(settled));
    assert.equal(refused?.status, 'failed');
    assert.match(refused?.lastError ?? '', /answered AE: unknown accession number/);
    assert.equal(refused?.attempts, 1, 'not tried again');
    assert.equal(next?.status, 'sent');
  });

  it('sends again, with the same MSH-10 and bytes, a message whose acknowledgement was cut mid-frame', async () => {
    await queue('cutter', 'M-6');
    const sent = await settled('M-6');
    assert.equal(sent.status, 'sent');
    assert.deepEqual(handled.filter((h) => h.startsWith('cutter:')), ['cutter:M-6', 'cutter:M-6'], 'the same control id both times');
    assert.equal(sent.attempts, 2);
  });

  it('queues a logical message once per destination, however often it is queued', async () => {
    await queue('ris', 'M-7');
    await queue('ris', 'M-7');
    await settled('M-7');
    assert.equal((await listMessages(hub.app.database.db, { studyUid: STUDY })).filter((m) => m.controlId === 'M-7').length, 1);
    assert.equal(handled.filter((h) => h === 'M-7').length, 1);
  });
});
