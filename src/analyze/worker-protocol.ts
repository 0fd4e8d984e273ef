import type { AnalysisInput, AnalysisOutput, AnalyzerDescription, Applicability } from './analyzer.js';

/** What the hub asks of an analyzer's worker thread, and what it answers: one task at a time, each answered once. */

export type WorkerTask = { task: 'describe'; url: string; options: unknown } | { task: 'analyze'; url: string; options: unknown; input: AnalysisInput };

export type WorkerAnswer =
  | { ok: true; description: AnalyzerDescription }
  | { ok: true; description: AnalyzerDescription; applicability: Applicability; output?: AnalysisOutput }
  | { ok: false; message: string; permanent: boolean };

/** Sent to the worker to abort the running analyzer's signal; the thread is stopped soon after. */
export const CANCEL = 'cancel';
