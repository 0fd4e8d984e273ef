import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Database } from '../store/database.js';
import type { AlertMetrics } from './alert-metrics.js';
import type { NotifySecrets } from './notify-secrets.js';

/** What the alert jobs (raise, escalate) work with. */
export interface AlertDeps {
  config: Pick<Config, 'alerts' | 'webhooks' | 'http'>;
  database: Database;
  log: Logger;
  now: () => number;
  secrets: NotifySecrets;
  metrics: AlertMetrics;
}
