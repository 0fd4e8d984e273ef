import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, waitForPort } from './interop.js';
import { tempDir } from './test-hub.js';

export const ORTHANC_DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface RunningOrthanc {
  httpPort: number;
  dicomPort: number;
  aeTitle: string;
  /** Base URL of the DICOMweb plugin, e.g. http://127.0.0.1:8042/dicom-web */
  dicomwebUrl: string;
  restUrl: string;
  stop(): Promise<void>;
}

/** Starts a real Orthanc with its DICOMweb plugin on free loopback ports, storing with fsync. */
export async function startOrthanc(opts: { aeTitle?: string } = {}): Promise<RunningOrthanc> {
  const dir = tempDir('radbridge-orthanc-');
  const httpPort = await freePort();
  const dicomPort = await freePort();
  const aeTitle = opts.aeTitle ?? 'ORTHANC';
  const config = {
    Name: 'radbridge-test',
    StorageDirectory: path.join(dir, 'storage'),
    IndexDirectory: path.join(dir, 'index'),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    DicomAet: aeTitle,
    DicomCheckCalledAet: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    HttpServerEnabled: true,
    SyncStorageArea: true,
    StorageCompression: false,
    Plugins: [ORTHANC_DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
  };
  const configFile = path.join(dir, 'orthanc.json');
  writeFileSync(configFile, JSON.stringify(config));
  const child: ChildProcess = spawn('Orthanc', [configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  try {
    await waitForPort(httpPort, child);
    await waitForPort(dicomPort, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`Orthanc did not start: ${(err as Error).message}\n${stderr}`);
  }
  return {
    httpPort,
    dicomPort,
    aeTitle,
    dicomwebUrl: `http://127.0.0.1:${httpPort}/dicom-web`,
    restUrl: `http://127.0.0.1:${httpPort}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
