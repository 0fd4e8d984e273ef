import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { MllpClient, MllpSendError, type MllpClientOptions } from '../src/adapters/mllp/mllp-client.js';
import { startMllpServer, type MllpListener } from '../src/adapters/mllp/mllp-server.js';
import type { Outcome } from '../src/hl7/acknowledgement.js';
import { encodeMessage, fieldText, segmentOf, value, components, type Hl7Message } from '../src/hl7/hl7-message.js';
import { frame, MllpDecoder } from '../src/hl7/mllp-framing.js';
import { freePort, missingTools, run } from './support/interop.js';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './support/test-database.js';
import { tempDir } from './support/test-hub.js';

/** MLLP sender and receiver over real sockets on free ports, the receiver recording what it got in a real index. */

const CLIENT: MllpClientOptions = { connectTimeoutMs: 1000, ackTimeoutMs: 500, maxFrameBytes: 1 << 20 };

function adt(controlId: string, options: { acceptAck?: string; name?: string } = {}): string {
  const msh = [value('|'), value('^~\\&'), value('RIS'), value('TRAUMA'), value('RADBRIDGE'), value('HOSP'), value('20261203101500'), value(''), components('ADT', 'A01', 'ADT_A01'), value(controlId), value('P'), value('2.5.1')];
  if (options.acceptAck !== undefined) msh.push(value(''), value(''), value(options.acceptAck), value('NE'));
  const message: Hl7Message = { segments: [{ id: 'MSH', fields: msh }, { id: 'PID', fields: [value('1'), value(''), value('P-1'), value(''), components(options.name ?? 'Doe', 'Jane')] }] };
  return encodeMessage(message);
}

for (const kind of ['sqlite', 'postgres'] as DatabaseKind[]) {
  describe(`MLLP receiver and sender (${kind} index)`, () => {
    let index: TestDatabase;
    let server: MllpListener;
    const handled: Hl7Message[] = [];
    let outcomeFor: (m: Hl7Message) => Outcome = () => ({ kind: 'accepted' });
    const client = () => new MllpClient({ host: '127.0.0.1', port: server.port }, CLIENT);

    before(async () => {
      index = await openTestDatabase(kind);
      server = await startMllpServer(
        { host: '127.0.0.1', port: 0, maxFrameBytes: 4096, idleTimeoutMs: 5000 },
        {
          db: index.database.db,
          log: pino({ level: 'silent' }),
          now: () => Date.UTC(2026, 11, 3, 10, 15),
          handle: (message) => {
            handled.push(message);
            const outcome = outcomeFor(message);
            if (fieldText(segmentOf(message, 'PID'), 5) === 'Throw') return Promise.reject(new Error('the patient index is down'));
            return Promise.resolve(outcome);
          },
        },
      );
    });
    after(async () => {
      await server?.close();
      await index?.remove();
    });

    it('answers AA in original mode, with MSA-2 the message’s MSH-10 and the sender and receiver swapped', async () => {
      const c = client();
      const ack = await c.send(adt('MSG-1'));
      c.close();
      assert.deepEqual([ack.code, ack.controlId], ['AA', 'MSG-1']);
      assert.match(ack.raw, /^MSH\|\^~\\&\|RADBRIDGE\|HOSP\|RIS\|TRAUMA\|20261203101500\+0000\|\|ACK\^A01\^ACK\|/);
      assert.equal(fieldText(segmentOf(handled.at(-1) as Hl7Message, 'PID'), 5, 2), 'Jane');
    });

    it('answers a message sent again with the acknowledgement it got, without handling it twice', async () => {
      const before = handled.length;
      const c = client();
      const first = await c.send(adt('MSG-2'));
      const again = await c.send(adt('MSG-2'));
      c.close();
      assert.equal(handled.length, before + 1, 'handled once');
      assert.equal(again.raw, first.raw, 'the same acknowledgement, its own MSH-10 included');
    });

    it('answers AE with the reason when handling fails, and AR for a message that does not parse', async () => {
      const c = client();
      const failed = await c.send(adt('MSG-3', { name: 'Throw' }));
      const rejected = await c.send('MSH|^~\\&|RIS|TRAUMA|RADBRIDGE|HOSP|20261203||ADT^A01|MSG-4|P|2.5.1\rPID|1|\\Q\\\r');
      c.close();
      assert.deepEqual([failed.code, failed.controlId, failed.text], ['AE', 'MSG-3', 'the patient index is down']);
      assert.deepEqual([rejected.code, rejected.controlId], ['AR', 'MSG-4']);
      assert.match(rejected.text, /unknown escape sequence/);
    });

    it('answers a commit acknowledgement CA in enhanced mode, and none when MSH-15 says NE', async () => {
      const c = client();
      const committed = await c.send(adt('MSG-5', { acceptAck: 'AL' }));
      assert.deepEqual([committed.code, committed.controlId], ['CA', 'MSG-5']);
      await assert.rejects(c.send(adt('MSG-6', { acceptAck: 'NE' })), (err: MllpSendError) => err.reason === 'timeout');
      c.close();
      outcomeFor = () => ({ kind: 'error', text: 'no such order' });
      const refused = await client().send(adt('MSG-7', { acceptAck: 'ER' }));
      outcomeFor = () => ({ kind: 'accepted' });
      assert.deepEqual([refused.code, refused.text], ['CE', 'no such order']);
    });

    it('keeps order on one connection: each message waits for the acknowledgement of the one before', async () => {
      const c = client();
      const acks = await Promise.all(['MSG-10', 'MSG-11', 'MSG-12', 'MSG-13'].map((id) => c.send(adt(id))));
      c.close();
      assert.deepEqual(acks.map((a) => a.controlId), ['MSG-10', 'MSG-11', 'MSG-12', 'MSG-13']);
      assert.deepEqual(handled.slice(-4).map((m) => fieldText(segmentOf(m, 'MSH'), 10)), ['MSG-10', 'MSG-11', 'MSG-12', 'MSG-13']);
    });

    it('closes a connection whose frame outgrows the maximum size, or that sends bytes outside a frame', async () => {
      for (const bytes of [Buffer.concat([Buffer.from([0x0b]), Buffer.alloc(5000, 0x41)]), Buffer.from('MSH|not framed\r')]) {
        const socket = net.connect(server.port, '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write(bytes);
        await new Promise((resolve) => socket.once('close', resolve));
        assert.ok(socket.destroyed);
      }
    });

    it('handles a message whose frame is cut mid-way only once it is sent whole, on a new connection', async () => {
      const text = adt('MSG-20');
      const bytes = frame(text);
      const cut = net.connect(server.port, '127.0.0.1');
      await new Promise((resolve) => cut.once('connect', resolve));
      cut.end(bytes.subarray(0, 30));
      await new Promise((resolve) => cut.once('close', resolve));
      assert.ok(!handled.some((m) => fieldText(segmentOf(m, 'MSH'), 10) === 'MSG-20'), 'half a frame is not a message');
      const ack = await client().send(text);
      assert.equal(ack.code, 'AA');
      assert.equal(handled.filter((m) => fieldText(segmentOf(m, 'MSH'), 10) === 'MSG-20').length, 1);
    });
  });
}

describe('MLLP sender against peers that fail', () => {
  it('fails a send to a peer that is not listening as unreachable', async () => {
    const port = await freePort();
    await assert.rejects(new MllpClient({ host: '127.0.0.1', port }, CLIENT).send(adt('X-1')), (err: MllpSendError) => err.reason === 'unreachable');
  });

  it('fails a send when the peer is slower than the timeout or closes without answering, and sends again on a new connection', async () => {
    let mode: 'slow' | 'hang-up' | 'answer' = 'slow';
    const peer = net.createServer((socket) => {
      const decoder = new MllpDecoder(1 << 20);
      socket.on('data', (chunk: Buffer) => {
        for (const payload of decoder.push(chunk)) {
          if (mode === 'hang-up') socket.destroy();
          else if (mode === 'answer') socket.write(frame(`MSH|^~\\&|A|B|C|D|20261203||ACK|${Date.now()}|P|2.5.1\rMSA|AA|${payload.toString().split('|')[9] ?? ''}\r`));
        }
      });
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    const port = (peer.address() as net.AddressInfo).port;
    const c = new MllpClient({ host: '127.0.0.1', port }, CLIENT);
    await assert.rejects(c.send(adt('X-2')), (err: MllpSendError) => err.reason === 'timeout');
    mode = 'hang-up';
    await assert.rejects(c.send(adt('X-3')), (err: MllpSendError) => err.reason === 'closed');
    mode = 'answer';
    const ack = await c.send(adt('X-4'));
    assert.deepEqual([ack.code, ack.controlId], ['AA', 'X-4']);
    c.close();
    await new Promise((resolve) => peer.close(resolve));
  });
});

describe('MLLP over TLS', { skip: missingTools('openssl') }, () => {
  let index: TestDatabase;
  let server: MllpListener;
  let cert: Buffer;
  const dir = tempDir('radbridge-mllp-tls-');

  before(async () => {
    const [key, crt] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    const made = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=radbridge-test', '-addext', 'subjectAltName=IP:127.0.0.1']);
    assert.equal(made.code, 0, made.stderr);
    cert = readFileSync(crt);
    index = await openTestDatabase('sqlite');
    server = await startMllpServer(
      { host: '127.0.0.1', port: 0, maxFrameBytes: 4096, idleTimeoutMs: 5000, tls: { key: readFileSync(key), cert } },
      { db: index.database.db, log: pino({ level: 'silent' }), now: () => Date.now(), handle: () => Promise.resolve({ kind: 'accepted' }) },
    );
  });
  after(async () => {
    await server?.close();
    await index?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges a sender that trusts the receiver’s certificate, and a sender that does not trust it cannot connect', async () => {
    const trusting = new MllpClient({ host: '127.0.0.1', port: server.port, tls: { ca: cert } }, CLIENT);
    assert.equal((await trusting.send(adt('TLS-1'))).code, 'AA');
    trusting.close();
    await assert.rejects(new MllpClient({ host: '127.0.0.1', port: server.port, tls: {} }, CLIENT).send(adt('TLS-2')), (err: MllpSendError) => err.reason === 'unreachable' && /certificate/.test(err.message));
    await assert.rejects(new MllpClient({ host: '127.0.0.1', port: server.port }, CLIENT).send(adt('TLS-3')), MllpSendError, 'plain TCP gets no acknowledgement from a TLS receiver');
  });
});
