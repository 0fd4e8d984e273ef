import { parentPort } from 'node:worker_threads';
import { RadbridgeError } from '../domain/errors.js';
import { PermanentJobError } from '../jobs/job-handler.js';
import type { Analyzer, AnalyzerFactory } from './analyzer.js';
import { applicabilityOf } from './applicability.js';
import { CANCEL, type WorkerAnswer, type WorkerTask } from './worker-protocol.js';

/**
 * The entry of an analyzer's worker thread: for each task it is sent, builds the analyzer afresh
 * from its module (the module itself stays loaded, so only the first task pays for it), does the
 * task and answers once.
 */

/** Trying again cannot help: the analyzer says so, or the hub refused its configuration (a bad manifest). */
function isPermanent(err: unknown): boolean {
  return err instanceof PermanentJobError || (err instanceof RadbridgeError && err.httpStatus < 500);
}

async function load(url: string, options: unknown): Promise<Analyzer> {
  const module = (await import(url)) as { createAnalyzer?: AnalyzerFactory };
  if (typeof module.createAnalyzer !== 'function') throw new PermanentJobError(`${url} does not export createAnalyzer`);
  return module.createAnalyzer(options);
}

async function perform(task: WorkerTask, signal: AbortSignal): Promise<WorkerAnswer> {
  const analyzer = await load(task.url, task.options);
  if (task.task === 'describe') return { ok: true, description: analyzer.description };
  const { description } = analyzer;
  const applicability = applicabilityOf(analyzer, task.input);
  if (!applicability.applicable) return { ok: true, description, applicability };
  return { ok: true, description, applicability, output: await analyzer.analyze(task.input, signal) };
}

const port = parentPort;
if (port) {
  let running: AbortController | undefined;
  port.on('message', (message: WorkerTask | typeof CANCEL) => {
    if (message === CANCEL) {
      running?.abort(new Error('the analysis was cancelled'));
      return;
    }
    const controller = new AbortController();
    running = controller;
    void perform(message, controller.signal)
      .catch((err: unknown): WorkerAnswer => ({ ok: false, message: err instanceof Error ? err.message : String(err), permanent: isPermanent(err) }))
      .then((answer) => port.postMessage(answer));
  });
}
