import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../test/support/interop.js';
import { startOrthanc } from '../test/support/orthanc.js';
import { onCleanup, repoRoot } from './support.js';

/** A C-STORE SCP under test, empty when started. */
export interface Receiver {
  port: number;
  aeTitle: string;
  /** The hub's process id, for reading its memory. */
  pid?: number;
  /** How many instances it holds now. */
  instances(): Promise<number>;
  /** Stops it and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

export type ReceiverKind = 'hub' | 'storescp' | 'orthanc';

export function startReceiver(kind: ReceiverKind): Promise<Receiver> {
  if (kind === 'hub') return startHubProcess();
  if (kind === 'storescp') return startStorescp();
  return startOrthancReceiver();
}

function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Spawns a child; stop() ends it (SIGTERM, then SIGKILL after 10 s) and removes dir. Registered for cleanup. */
function supervise(child: ChildProcess, dir: string): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })());
  onCleanup(stop);
  return stop;
}

function tail(child: ChildProcess): () => string {
  let text = '';
  const keep = (d: Buffer) => (text = (text + d.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

async function waitUntilListening(child: ChildProcess, ports: number[], output: () => string, what: string): Promise<void> {
  try {
    for (const port of ports) await waitForPort(port, child, 30_000);
  } catch (err) {
    throw new Error(`${what} did not start: ${(err as Error).message}\n${output()}`);
  }
}

/** The hub as its own process: embedded SQLite in a fresh data folder, free ports, warnings only. */
async function startHubProcess(): Promise<Receiver> {
  const dataDir = tempDir('radbridge-bench-hub-');
  const [dicomPort, httpPort] = [await freePort(), await freePort()];
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('RADBRIDGE_'));
  const env = {
    ...Object.fromEntries(inherited),
    RADBRIDGE_DATA_DIR: dataDir,
    RADBRIDGE_DICOM__PORT: String(dicomPort),
    RADBRIDGE_HTTP__PORT: String(httpPort),
    RADBRIDGE_LOG__LEVEL: 'warn',
  };
  // The compiled hub, as `npm start` runs it (bench/ingest.ts builds it first).
  const child = spawn(process.execPath, ['dist/cli/radbridge.js', 'start'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = supervise(child, dataDir);
  const output = tail(child);
  await waitUntilListening(child, [dicomPort, httpPort], output, 'hub');
  const pid = child.pid;
  if (pid === undefined) throw new Error('hub has no pid');
  return {
    port: dicomPort,
    aeTitle: 'RADBRIDGE',
    pid,
    instances: async () => {
      const body = (await (await fetch(`http://127.0.0.1:${httpPort}/api/status`)).json()) as { index: { instances: number } };
      return body.index.instances;
    },
    stop,
  };
}

/** DCMTK storescp writing every object to a temp folder. DCMTK 3.6.7's storescp has no fsync option. */
async function startStorescp(): Promise<Receiver> {
  const dir = tempDir('radbridge-bench-storescp-');
  const port = await freePort();
  const child = spawn('storescp', ['-aet', 'STORESCP', '-od', dir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = supervise(child, dir);
  await waitUntilListening(child, [port], tail(child), 'storescp');
  return {
    port,
    aeTitle: 'STORESCP',
    instances: () => Promise.resolve(readdirSync(dir).length),
    stop,
  };
}

/** Orthanc from the test harness: SQLite index, SyncStorageArea true, no storage compression. */
async function startOrthancReceiver(): Promise<Receiver> {
  const orthanc = await startOrthanc();
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= orthanc.stop());
  onCleanup(stop);
  return {
    port: orthanc.dicomPort,
    aeTitle: orthanc.aeTitle,
    instances: async () => {
      const body = (await (await fetch(`${orthanc.restUrl}/statistics`)).json()) as { CountInstances: number };
      return body.CountInstances;
    },
    stop,
  };
}
