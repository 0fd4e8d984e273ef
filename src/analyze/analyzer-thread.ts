import { Worker } from 'node:worker_threads';
import { PermanentJobError } from '../jobs/job-handler.js';
import type { AnalysisInput, AnalysisOutput, AnalyzerDescription, AnalyzerModule, Applicability } from './analyzer.js';
import { CANCEL, type WorkerAnswer, type WorkerTask } from './worker-protocol.js';

const DEFAULT_MEMORY_MB = 2048;

/**
 * A worker thread for one task. Built, the hub runs analyzer-worker.js; run from its TypeScript
 * sources (tests, development) the worker registers the same TypeScript loader before its entry,
 * since a worker's entry does not go through the loader the process was started with.
 */
function startWorker(task: WorkerTask, memoryMb: number): Worker {
  const options = { workerData: task, resourceLimits: { maxOldGenerationSizeMb: memoryMb } };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./analyzer-worker.js', import.meta.url), options);
  const entry = JSON.stringify(new URL('./analyzer-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); })`, { ...options, eval: true });
}

/** Runs one task in a worker of its own; the worker is stopped when it answers, fails, or `signal` aborts. */
function runTask(module: AnalyzerModule, task: WorkerTask, signal: AbortSignal): Promise<WorkerAnswer> {
  const memoryMb = module.memoryMb ?? DEFAULT_MEMORY_MB;
  const worker = startWorker(task, memoryMb);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      done();
    };
    const onAbort = () => {
      worker.postMessage(CANCEL);
      settle(() => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')));
    };
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (answer: WorkerAnswer) => settle(() => resolve(answer)));
    worker.on('error', (err: Error & { code?: string }) =>
      settle(() => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new PermanentJobError(`ran out of its ${memoryMb} MiB memory limit`) : err)),
    );
    worker.on('exit', (code) => settle(() => reject(new Error(`its worker thread stopped (exit code ${code}) without an answer`))));
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
