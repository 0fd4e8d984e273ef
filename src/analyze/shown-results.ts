import type { RolloutMode } from '../domain/rollout-mode.js';
import { listAnalysisResults } from '../store/analysis-results.js';
import { rolloutModeOf } from '../store/analyzer-modes.js';
import type { AnalysisDeps } from './analysis-run.js';
import { mergeStudyResults, type StudyResults } from './study-results.js';

/** A study's stored results as far as the rollout modes at this site let them be shown (study-results.ts decides). */
export async function shownStudyResults(deps: Pick<AnalysisDeps, 'database' | 'site'>, studyUid: string): Promise<StudyResults> {
  const stored = await listAnalysisResults(deps.database.db, studyUid);
  const modes = new Map<string, RolloutMode>();
  for (const id of new Set(stored.map((r) => r.analyzerId))) modes.set(id, await rolloutModeOf(deps.database.db, id, deps.site));
  return mergeStudyResults(studyUid, stored, (id) => modes.get(id) ?? 'silent');
}
