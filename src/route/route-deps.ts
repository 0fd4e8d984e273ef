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
  /** Clinical context of a study (e.g. { traumaActivation: true } from an HL7 order); empty until a stage supplies it. */
  clinicalContext: (studyUid: string) => Promise<Record<string, unknown>>;
}
