import type { AddressInfo } from 'node:net';
import { startDimseScp } from './adapters/dimse/dimse-scp.js';
import { analysisRunHandler } from './analyze/analysis-run.js';
import { buildApp, type App, type AppDeps } from './app.js';
import type { Config } from './config/schema.js';
import { startCompletionSweeper } from './ingest/completion-sweeper.js';
import { startHl7Receiver } from './ingest/hl7-receiver.js';
import { studyPullHandler } from './ingest/study-pull.js';
import { startJobEngine, type JobEngine } from './jobs/job-engine.js';
import { routeCompletedSeries } from './route/route-series.js';
import { outboxSendHandler } from './publish/outbox-send.js';
import { alertEscalateHandler } from './notify/alert-escalate.js';
import { alertRaiseHandler } from './notify/alert-raise.js';
import { messageSendHandler } from './notify/message-send.js';
import { resultsPublishHandler } from './publish/results-publish.js';
import { studyForwardHandler } from './publish/study-forward.js';

export interface RunningHub {
  app: App;
  httpPort: number;
  dicomPort: number;
  /** The HL7 v2 receiver's port, when hl7.listen.port is set. */
  hl7Port?: number;
  /** Runs one completion sweep now (tests and the CLI use it; the timer runs it anyway). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the app and starts its listeners and background loops. */
export async function startHub(config: Config, deps: AppDeps = {}): Promise<RunningHub> {
  const app = await buildApp(config, deps);
  const dimse = await startDimseScp(app.ingest);
  await app.http.listen({ host: config.http.host, port: config.http.port });
  const hl7 = await startHl7Receiver(config.hl7.listen, { database: app.database, log: app.log, now: app.ingest.now });
  const sweeper = startCompletionSweeper(app.ingest);
  const jobs = startJobs(app);
  const httpPort = (app.http.server.address() as AddressInfo).port;
  app.log.info({ httpPort, dicomPort: dimse.port, hl7Port: hl7?.port, dataDir: config.dataDir, database: app.database.dialect }, 'hub started');
  return {
    app,
    httpPort,
    dicomPort: dimse.port,
    ...(hl7 ? { hl7Port: hl7.port } : {}),
    sweep: sweeper.sweep,
    stop: async () => {
      await jobs?.stop();
      await sweeper.stop();
      await dimse.close();
      await hl7?.close();
      await app.close();
    },
  };
}

/** The hub's job engine, running the handler of every kind a stage has; none with jobs.concurrency 0. */
function startJobs(app: App): JobEngine | undefined {
  const { jobs } = app.config;
  if (jobs.concurrency === 0) return undefined;
  const publish = { config: app.config, database: app.database, objects: app.objects, log: app.log, now: app.ingest.now, triage: app.triage };
  const notify = { config: app.config, database: app.database, log: app.log, now: app.ingest.now, secrets: app.notify.secrets, metrics: app.notify.alertMetrics };
  return startJobEngine(
    { database: app.database, log: app.log, now: app.ingest.now, registry: app.registry },
    {
      'study.pull': studyPullHandler(app.ingest),
      'series.complete': async (payload) => {
        await routeCompletedSeries(app.route, payload);
      },
      'analysis.run': analysisRunHandler(app.analysis),
      'study.forward': studyForwardHandler(publish),
      'results.publish': resultsPublishHandler(publish),
      'outbox.send': outboxSendHandler(publish),
      'message.send': messageSendHandler(notify),
      'alert.raise': alertRaiseHandler(notify),
      'alert.escalate': alertEscalateHandler(notify),
    },
    { concurrency: jobs.concurrency, leaseMs: jobs.leaseMs, pollIntervalMs: jobs.pollIntervalMs, backoff: { baseMs: jobs.backoffBaseMs, maxMs: jobs.backoffMaxMs } },
  );
}
