import { permissionsOf, type RolloutMode } from '../domain/rollout-mode.js';
import type { StoredAnalysisResult } from '../store/analysis-results.js';

/** One study-level result merged from the per-series analyses as they came, head first in a pan-scan. */
export interface StudyResults {
  studyUid: string;
  /** The latest result of each analyzer on each series, where its rollout mode lets it be shown. */
  results: StoredAnalysisResult[];
  /** Results that came after the first one shown (a late series, or a series completed again): the study-level result was amended that often. */
  amendments: number;
  updatedAt: number | null;
}

const keyOf = (r: StoredAnalysisResult) => `${r.analyzerId}\n${r.seriesUids.join('\n')}`;

/**
 * Merges a study's stored results: a series analysed again after an amendment replaces its earlier
 * result, and a result is shown only when the mode it came under and the mode in force now both
 * show (a model put back to silent stops showing at once; silent results stay stored for validation).
 */
export function mergeStudyResults(studyUid: string, stored: StoredAnalysisResult[], modeNow: (analyzerId: string) => RolloutMode): StudyResults {
  const latest = new Map<string, StoredAnalysisResult>();
  for (const r of stored) {
    const seen = latest.get(keyOf(r));
    if (!seen || r.generation >= seen.generation) latest.set(keyOf(r), r);
  }
  const results = [...latest.values()]
    .filter((r) => permissionsOf(r.mode).show && permissionsOf(modeNow(r.analyzerId)).show)
    .sort((a, b) => a.createdAt - b.createdAt);
  const first = results[0]?.createdAt;
  return {
    studyUid,
    results,
    amendments: results.filter((r) => r.amendment || (first !== undefined && r.createdAt > first)).length,
    updatedAt: results.at(-1)?.createdAt ?? null,
  };
}
