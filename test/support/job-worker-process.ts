/**
 * A worker process for the job engine tests: opens the index named on the command line and runs
 * 'job.probe' jobs, recording each job's effect once. A probe labelled "hang" hangs on its first
 * attempt after recording its effect, and says so on stdout, so a test can kill the process mid-job.
 *
 *   node --import tsx test/support/job-worker-process.ts '{"database":…,"dataDir":…,"workerId":…}'
 */
import pino from 'pino';
import type { Config } from '../../src/config/schema.js';
import { startJobEngine } from '../../src/jobs/job-engine.js';
import { openDatabase } from '../../src/store/database.js';
import { recordEffectOnce } from '../../src/store/job-effects.js';

interface WorkerArgs {
  database: Config['database'];
  dataDir: string;
  workerId: string;
  leaseMs: number;
  concurrency: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
const database = await openDatabase(args.database, args.dataDir);
const say = (line: string) => process.stdout.write(`${line}\n`);

const engine = startJobEngine(
  { database, log: pino({ level: process.env.RADBRIDGE_TEST_LOG ?? 'silent' }), now: Date.now },
  {
    'job.probe': async ({ label }, ctx) => {
      const effect = JSON.stringify({ worker: args.workerId, attempt: ctx.attempt });
      const recorded = await database.db.transaction().execute((trx) => recordEffectOnce(trx, ctx.idempotencyKey, effect, Date.now()));
      if (!recorded) say(`effect-already-recorded ${ctx.jobId}`);
      if (label === 'hang' && ctx.attempt === 1) {
        say(`mid-job ${ctx.jobId}`);
        await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)));
      }
    },
  },
  { workerId: args.workerId, leaseMs: args.leaseMs, concurrency: args.concurrency, pollIntervalMs: 25 },
);

process.once('SIGTERM', () => {
  engine
    .stop()
    .then(() => database.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
});
say('ready');
