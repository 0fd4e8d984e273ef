import type { Explanation } from '../route/predicate-evaluation.js';
import type { Action } from '../route/rule-schema.js';
import type { SeriesReport, TestReport } from '../route/rule-tester.js';

/** The rule tester's report as text: per series, each rule's verdict and why, then what would be queued. */

function actionText(a: Action): string {
  if ('run' in a) return `run ${a.run.analyzers.join(', ')}`;
  if ('forward' in a) return `forward to ${a.forward.destination}`;
  return `discard (${a.discard.reason})`;
}

function explanationLines(e: Explanation, depth: number): string[] {
  const mark = e.passed ? 'yes' : 'no ';
  const found = e.actual === undefined ? '' : `: found ${Array.isArray(e.actual) ? (e.actual.length === 0 ? 'nothing' : JSON.stringify(e.actual)) : e.actual}`;
  const evidence = e.evidence && e.evidence.length > 0 ? ` [${e.evidence.join('; ')}]` : '';
  const line = `${'  '.repeat(depth)}${mark} ${e.looked}${found} -- ${e.test}${evidence}`;
  return [line, ...(e.children ?? []).flatMap((c) => explanationLines(c, depth + 1))];
}

function seriesLines(s: SeriesReport): string[] {
  const c = s.classification;
  const regions = c && c.regions.length > 0 ? `, regions ${c.regions.map((r) => r.region).join(' ')}` : '';
  const lines = [`series ${s.seriesUid ?? '(no Series Instance UID)'} (sender ${s.sender ?? 'unknown'}; body region ${c?.bodyRegion.value ?? 'unknown'}${regions})`];
  for (const r of s.rules) {
    const acts = r.actions.filter((a) => a.selected).map((a) => actionText(a.action));
    const what = acts.length > 0 ? `: ${acts.join('; ')}` : r.matched ? ': this series is not selected' : '';
    lines.push(`  ${r.matched ? 'MATCHED    ' : 'not matched'} ${r.ruleId} [${r.lane}]${what}`);
    lines.push(...explanationLines(r.explanation, 3));
    for (const a of r.actions) if (a.series) lines.push(`      series selection for ${actionText(a.action)}:`, ...explanationLines(a.series, 4));
  }
  if (s.discard) lines.push(`  => discarded by ${s.discard.ruleId}: ${s.discard.reason}`);
  for (const run of s.runs) lines.push(`  => run ${run.analyzerId} (${run.lane}, rule ${run.ruleId})`);
  for (const f of s.forwards) lines.push(`  => forward to ${f.destination} (${f.lane}, rule ${f.ruleId})`);
  if (!s.discard && s.runs.length === 0 && s.forwards.length === 0) lines.push('  => nothing queued');
  return lines;
}

export function reportText(report: TestReport): string {
  const head = `rules ${report.rulesVersion === 'draft' ? 'draft' : `version ${report.rulesVersion}`} at ${report.at}`;
  return [head, ...report.series.flatMap(seriesLines)].join('\n');
}
