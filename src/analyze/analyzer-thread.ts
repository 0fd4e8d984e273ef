import { Worker } from 'node:worker_threads';
import { PermanentJobError } from '../jobs/job-handler.js';
import type { AnalysisInput, AnalysisOutput, AnalyzerDescription, AnalyzerModule, Applicability } from './analyzer.js';
import { CANCEL, type WorkerAnswer, type WorkerTask } from './worker-protocol.js';

const DEFAULT_MEMORY_MB = 2048;
/** How long an idle worker thread waits for its module's next task before it stops. */
const IDLE_MS = 60_000;
/** How long a cancelled analyzer has to stop on its own before its thread is stopped. */
const CANCEL_GRACE_MS = 2_000;

/**
 * A worker thread. Built, the hub runs analyzer-worker.js; run from its TypeScript sources (tests,
 * development) the worker registers the same TypeScript loader before its entry, since a worker's
 * entry does not go through the loader the process was started with.
 */
function startWorker(memoryMb: number): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: memoryMb } };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./analyzer-worker.js', import.meta.url), options);
  const entry = JSON.stringify(new URL('./analyzer-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); })`, { ...options, eval: true });
}

/**
 * Idle worker threads by module and memory limit: the next task of the same module reuses one, so
 * only the first pays for starting the thread and loading the module. A thread that failed, was
 * cancelled or ran past its time is stopped, never reused; an idle one stops after IDLE_MS and
 * never keeps the process alive.
 */
const idle = new Map<string, Array<{ worker: Worker; leave: () => void }>>();

function acquire(key: string, memoryMb: number): Worker {
  const parked = idle.get(key)?.pop();
  if (!parked) return startWorker(memoryMb);
  parked.leave();
  parked.worker.ref();
  return parked.worker;
}

function release(key: string, worker: Worker): void {
  worker.unref();
  const drop = () => {
    leave();
    idle.set(key, (idle.get(key) ?? []).filter((p) => p.worker !== worker));
  };
  const timer = setTimeout(() => {
    drop();
    void worker.terminate();
  }, IDLE_MS);
  timer.unref();
  // A thread that dies while idle (an analyzer's stray error after it answered) leaves the pool.
  worker.once('exit', drop);
  const leave = () => {
    clearTimeout(timer);
    worker.off('exit', drop);
  };
  idle.set(key, [...(idle.get(key) ?? []), { worker, leave }]);
}

/** Runs one task on a worker of the module's; the worker goes back to the pool when it answers, and is stopped when it fails or `signal` aborts. */
function runTask(module: AnalyzerModule, task: WorkerTask, signal: AbortSignal): Promise<WorkerAnswer> {
  const memoryMb = module.memoryMb ?? DEFAULT_MEMORY_MB;
  const key = JSON.stringify([module.url, module.options ?? null, memoryMb]);
  const worker = acquire(key, memoryMb);
  return new Promise((resolve, reject) => {
    const settle = (done: () => void, reuse: boolean) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      signal.removeEventListener('abort', onAbort);
      if (reuse) release(key, worker);
      else worker.unref();
      done();
    };
    const onMessage = (answer: WorkerAnswer) => {
      if (!answer.ok) void worker.terminate();
      settle(() => resolve(answer), answer.ok);
    };
    const onError = (err: Error & { code?: string }) => {
      void worker.terminate();
      settle(() => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new PermanentJobError(`ran out of its ${memoryMb} MiB memory limit`) : err), false);
    };
    const onExit = (code: number) => settle(() => reject(new Error(`its worker thread stopped (exit code ${code}) without an answer`)), false);
    const onAbort = () => {
      worker.postMessage(CANCEL);
      setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS).unref();
      settle(() => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')), false);
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    worker.postMessage(task);
  });
}

function unwrap(answer: WorkerAnswer): Extract<WorkerAnswer, { ok: true }> {
  if (!answer.ok) throw answer.permanent ? new PermanentJobError(answer.message) : new Error(answer.message);
  return answer;
}

export interface WorkerAnalysis {
  /** How the analyzer described itself when it ran: its version and model hash. */
  description: AnalyzerDescription;
  applicability: Applicability;
  /** Absent when the input was not applicable. */
  output?: AnalysisOutput;
}

/** Loads the analyzer in a worker thread and returns how it describes itself. */
export async function describeAnalyzer(module: AnalyzerModule, signal: AbortSignal): Promise<AnalyzerDescription> {
  return unwrap(await runTask(module, { task: 'describe', url: module.url, options: module.options }, signal)).description;
}

/** Checks applicability and, when the input applies, analyzes it, in a worker thread under the module's memory limit. */
export async function analyzeInWorker(module: AnalyzerModule, input: AnalysisInput, signal: AbortSignal): Promise<WorkerAnalysis> {
  const answer = unwrap(await runTask(module, { task: 'analyze', url: module.url, options: module.options, input }, signal));
  if (!('applicability' in answer)) throw new Error('its worker thread answered another task');
  const { description, applicability, output } = answer;
  return output ? { description, applicability, output } : { description, applicability };
}
