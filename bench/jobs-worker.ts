/**
 * A worker process for bench/jobs.ts: runs no-op 'job.probe' jobs from the index named on the command
 * line with the engine's default options until SIGTERM.
 */
import pino from 'pino';
import type { Config } from '../src/config/schema.js';
import { startJobEngine } from '../src/jobs/job-engine.js';
import { openDatabase } from '../src/store/database.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { database: Config['database']; dataDir: string; workerId: string };
const database = await openDatabase(args.database, args.dataDir);
const engine = startJobEngine({ database, log: pino({ level: 'warn' }), now: Date.now }, { 'job.probe': () => Promise.resolve() }, { workerId: args.workerId });
process.once('SIGTERM', () => {
  engine
    .stop()
    .then(() => database.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
});
process.stdout.write('ready\n');
