import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Database } from '../store/database.js';
import type { AlertMetrics } from './alert-metrics.js';
import type { NotifySecrets } from './notify-secrets.js';

/** What the notify jobs (message.send, alert.raise, alert.escalate) work with. */
export interface NotifyDeps {
  config: Pick<Config, 'hl7' | 'fhir' | 'webhooks' | 'alerts' | 'http'>;
  database: Database;
  log: Logger;
  now: () => number;
  secrets: NotifySecrets;
  metrics: AlertMetrics;
}
