import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Database } from '../store/database.js';
import type { ObjectStore } from '../store/object-store.js';

/** What the publish stage needs from the outside world: the destinations in `config`, the index and the stored files. */
export interface PublishDeps {
  config: Pick<Config, 'destinations' | 'dicom'>;
  database: Database;
  objects: ObjectStore;
  log: Logger;
  now: () => number;
}
