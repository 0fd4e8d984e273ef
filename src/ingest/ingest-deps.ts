import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Database } from '../store/database.js';
import type { ObjectStore } from '../store/object-store.js';
import type { IngestMetrics } from './ingest-metrics.js';

/** What the ingest stage needs from the outside world. */
export interface IngestDeps {
  config: Config;
  database: Database;
  objects: ObjectStore;
  log: Logger;
  metrics: IngestMetrics;
  now: () => number;
}

/** Who sent an object and how. */
export interface Sender {
  via: 'dimse' | 'stow' | 'pull';
  aeTitle?: string | undefined;
  address: string;
}
