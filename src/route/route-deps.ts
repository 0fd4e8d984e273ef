import type { Logger } from 'pino';
import type { Database } from '../store/database.js';
import type { ObjectStore } from '../store/object-store.js';

/** What the route stage needs from the outside world. */
export interface RouteDeps {
  database: Database;
  objects: ObjectStore;
  log: Logger;
  now: () => number;
  /** The names of the configured destinations: a rules change forwarding anywhere else is refused. */
  destinations: readonly string[];
  /** Clinical context of a study: { priority, traumaActivation } from the HL7 orders and admissions received (src/store/order-context.ts). */
  clinicalContext: (studyUid: string) => Promise<Record<string, unknown>>;
}
