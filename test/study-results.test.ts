import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeStudyResults } from '../src/analyze/study-results.js';
import type { RolloutMode } from '../src/domain/rollout-mode.js';
import type { StoredAnalysisResult } from '../src/store/analysis-results.js';

function result(analyzerId: string, series: string, generation: number, mode: RolloutMode, createdAt: number): StoredAnalysisResult {
  return {
    key: `analysis.run/${analyzerId}/${series}/${generation}`,
    studyUid: '1.2',
    seriesUids: [series],
    generation,
    amendment: generation > 1,
    analyzerId,
    analyzerVersion: '1',
    ruleId: 'r',
    lane: 'urgent',
    mode,
    applicability: { applicable: true, reasons: [] },
    findings: [],
    inputHash: `input of generation ${generation}`,
    modelHash: null,
    createdAt,
  };
}

describe('the study-level result', () => {
  const modes: Record<string, RolloutMode> = { ich: 'active', ptx: 'assistive', fracture: 'silent' };
  const modeNow = (id: string) => modes[id] ?? 'silent';

  it('merges per-series results in the order they came, the head first', () => {
    const merged = mergeStudyResults('1.2', [result('ptx', 'chest', 1, 'assistive', 20), result('ich', 'head', 1, 'active', 10)], modeNow);
    assert.deepEqual(merged.results.map((r) => r.analyzerId), ['ich', 'ptx']);
    assert.deepEqual([merged.amendments, merged.updatedAt], [1, 20], 'the chest result amended the study-level result the head began');
  });

  it('a series analysed again after an amendment replaces its earlier result', () => {
    const merged = mergeStudyResults('1.2', [result('ich', 'head', 1, 'active', 10), result('ich', 'head', 2, 'active', 30)], modeNow);
    assert.deepEqual(merged.results.map((r) => r.inputHash), ['input of generation 2']);
    assert.equal(merged.amendments, 1);
  });

  it('shows a result only when the mode it came under and the mode now both show', () => {
    const stored = [result('fracture', 'leg', 1, 'silent', 10), result('ptx', 'chest', 1, 'silent', 11), result('ich', 'head', 1, 'active', 12)];
    const merged = mergeStudyResults('1.2', stored, (id) => (id === 'ich' ? 'silent' : modeNow(id)));
    assert.deepEqual(merged.results, [], 'silent then, or silent now: not shown');
    assert.deepEqual([merged.amendments, merged.updatedAt], [0, null]);
  });
});
