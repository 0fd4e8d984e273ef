import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { AnalysisDeps } from './analyze/analysis-run.js';
import { registerAnalyzerModule } from './analyze/analyzer-registration.js';
import type { AnalyzerModule } from './analyze/analyzer.js';
import type { Config } from './config/schema.js';
import { registerHealthRoutes } from './adapters/http/health-routes.js';
import { registerJobRoutes } from './adapters/http/job-routes.js';
import { registerPullRoutes } from './adapters/http/pull-routes.js';
import { registerAnalyzerModeRoutes } from './adapters/http/analyzer-mode-routes.js';
import { registerAnalyzerRegistryRoutes } from './adapters/http/analyzer-registry-routes.js';
import { registerResultsRoutes } from './adapters/http/results-routes.js';
import { registerOutboxRoutes } from './adapters/http/outbox-routes.js';
import { registerVolumetryRoutes } from './adapters/http/volumetry-routes.js';
import { registerInjuryRoutes } from './adapters/http/injury-routes.js';
import { loadTriageTables, type TriageTables } from './triage/triage-files.js';
import { registerRulesRoutes } from './adapters/http/rules-routes.js';
import { registerSrDisplayRoutes } from './adapters/http/sr-display-routes.js';
import { registerQidoRs } from './adapters/http/qido-rs.js';
import { registerStowRs } from './adapters/http/stow-rs.js';
import { registerWadoRs } from './adapters/http/wado-rs.js';
import { createIngestMetrics } from './ingest/ingest-metrics.js';
import type { IngestDeps } from './ingest/ingest-deps.js';
import { openDatabase, type Database } from './store/database.js';
import { migrate } from './store/migrations.js';
import { ObjectStore } from './store/object-store.js';
import type { RouteDeps } from './route/route-deps.js';
import { installRulesFile } from './route/rules-file.js';
import { studyClinicalContext } from './store/order-context.js';
import { registerAlertRoutes } from './adapters/http/alert-routes.js';
import { createAlertMetrics, type AlertMetrics } from './notify/alert-metrics.js';
import { loadNotifySecrets, type NotifySecrets } from './notify/notify-secrets.js';

export interface AppDeps {
  log?: Logger;
  now?: () => number;
  /** Analyzer modules to register at start, beside those the configuration lists. */
  analyzers?: AnalyzerModule[];
}

export interface App {
  config: Config;
  log: Logger;
  database: Database;
  objects: ObjectStore;
  registry: Registry;
  ingest: IngestDeps;
  route: RouteDeps;
  analysis: AnalysisDeps;
  /** The criticality table and the site's AIS mapping. */
  triage: TriageTables;
  /** What the messages to people and systems need: the secrets read at start, the alert metrics. */
  notify: { secrets: NotifySecrets; alertMetrics: AlertMetrics };
  http: FastifyInstance;
  close(): Promise<void>;
}

/** Builds the hub: opens and migrates the index, prepares the object store, wires the HTTP routes. Never listens. */
export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const log = deps.log ?? pino({ level: config.log.level });
  const now = deps.now ?? Date.now;
  const database = await openDatabase(config.database, config.dataDir);
  await migrate(database);
  const objects = new ObjectStore(path.resolve(config.dataDir));
  await objects.init();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const ingest: IngestDeps = { config, database, objects, log, metrics: createIngestMetrics(registry), now };
  const destinations = Object.keys(config.destinations);
  const route: RouteDeps = { database, objects, log, now, destinations, clinicalContext: (studyUid) => studyClinicalContext(database.db, studyUid) };
  const analysis: AnalysisDeps = { database, objects, log, now, site: config.site, pixelCleaning: config.deidentification.pixelCleaning };
  let triage: TriageTables;
  let secrets: NotifySecrets;
  try {
    triage = await loadTriageTables(config.triage);
    secrets = await loadNotifySecrets(config);
    if (config.routing.rulesFile) await installRulesFile(database, config.routing.rulesFile, destinations, now());
    for (const module of [...config.analyzers, ...(deps.analyzers ?? [])]) {
      await registerAnalyzerModule(database, module, { actor: config.dicom.aeTitle, source: 'configuration', reason: 'listed in the configuration' }, now());
    }
  } catch (err) {
    await database.close();
    throw err;
  }
  // Request logging stays at warn: STOW-RS and WADO-RS traffic would drown the log at info.
  const httpLog: FastifyBaseLogger = log.child({ component: 'http' }, { level: 'warn' });
  const http: FastifyInstance = Fastify({ loggerInstance: httpLog });
  registerHealthRoutes(http, database, registry);
  registerStowRs(http, ingest);
  registerQidoRs(http, ingest);
  registerWadoRs(http, ingest);
  registerSrDisplayRoutes(http, ingest);
  registerPullRoutes(http, ingest);
  registerJobRoutes(http, { database, now });
  registerRulesRoutes(http, route);
  registerAnalyzerModeRoutes(http, route);
  registerAnalyzerRegistryRoutes(http, analysis);
  registerResultsRoutes(http, analysis);
  registerOutboxRoutes(http, { database });
  registerVolumetryRoutes(http, analysis);
  registerInjuryRoutes(http, analysis, triage);
  const notify = { secrets, alertMetrics: createAlertMetrics(registry) };
  registerAlertRoutes(http, { config, database, now, secrets, metrics: notify.alertMetrics });
  return {
    config,
    log,
    database,
    objects,
    registry,
    ingest,
    triage,
    notify,
    route,
    analysis,
    http,
    close: async () => {
      await http.close();
      await database.close();
    },
  };
}
