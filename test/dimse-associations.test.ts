import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import dimse from 'dcmjs-dimse';
import { missingTools, run } from './support/interop.js';
import { startTestHub, type TestHub } from './support/test-hub.js';

const skip = missingTools('echoscu');

function connectIdle(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closedWithin(socket: net.Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe('association limits and timeouts', { skip }, () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub({ dicom: { maxAssociations: 1, associationTimeoutMs: 500, idleTimeoutMs: 800 } });
  });
  after(async () => {
    await hub.stop();
  });

  it('rejects associations above the maximum as transient, and accepts again once one closes', async () => {
    const holder = await connectIdle(hub.dicomPort);
    const refused = await run('echoscu', ['-aec', 'RADBRIDGE', '127.0.0.1', String(hub.dicomPort)]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr + refused.stdout, /Local Limit Exceeded|Rejected/i);
    holder.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const accepted = await run('echoscu', ['-aec', 'RADBRIDGE', '127.0.0.1', String(hub.dicomPort)]);
    assert.equal(accepted.code, 0, accepted.stderr);
  });

  it('closes a connection that never asks for an association', async () => {
    const socket = await connectIdle(hub.dicomPort);
    assert.equal(await closedWithin(socket, 4000), true);
  });

  it('aborts an association that stays idle', async () => {
    const client = new dimse.Client();
    client.addRequest(new dimse.requests.CEchoRequest());
    const started = Date.now();
    const ended = new Promise<number>((resolve) => {
      client.on('closed', () => resolve(Date.now() - started));
      client.on('networkError', () => resolve(Date.now() - started));
    });
    client.send('127.0.0.1', hub.dicomPort, 'IDLER', 'RADBRIDGE', { associationLingerTimeout: 10_000 });
    const elapsed = await ended;
    assert.ok(elapsed < 8000, `closed after ${elapsed} ms, not held for the 10 s linger`);
  });

  it('rejects a wrong called AE title', async () => {
    const refused = await run('echoscu', ['-aec', 'SOMEONE_ELSE', '127.0.0.1', String(hub.dicomPort)]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr + refused.stdout, /Called AE Title Not Recognized|Rejected/i);
  });
});
