import type { AddressInfo } from 'node:net';
import { startDimseScp } from './adapters/dimse/dimse-scp.js';
import { buildApp, type App, type AppDeps } from './app.js';
import type { Config } from './config/schema.js';
import { startCompletionSweeper } from './ingest/completion-sweeper.js';
import { startPullWorker } from './ingest/study-pull.js';

export interface RunningHub {
  app: App;
  httpPort: number;
  dicomPort: number;
  /** Runs one completion sweep now (tests and the CLI use it; the timer runs it anyway). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the app and starts its listeners and background loops. */
export async function startHub(config: Config, deps: AppDeps = {}): Promise<RunningHub> {
  const app = await buildApp(config, deps);
  const dimse = await startDimseScp(app.ingest);
  await app.http.listen({ host: config.http.host, port: config.http.port });
  const sweeper = startCompletionSweeper(app.ingest);
  const puller = config.pull.dicomwebUrl ? startPullWorker(app.ingest) : undefined;
  const httpPort = (app.http.server.address() as AddressInfo).port;
  app.log.info({ httpPort, dicomPort: dimse.port, dataDir: config.dataDir, database: app.database.dialect }, 'hub started');
  return {
    app,
    httpPort,
    dicomPort: dimse.port,
    sweep: sweeper.sweep,
    stop: async () => {
      await puller?.stop();
      await sweeper.stop();
      await dimse.close();
      await app.close();
    },
  };
}
