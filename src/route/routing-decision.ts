import { soonerLane, type Lane } from '../domain/lane.js';
import { explain, type Explanation, type SeriesSubject } from './predicate-evaluation.js';
import type { Action, Rule, RulesDocument } from './rule-schema.js';

/**
 * What the rules decide for one series. Every rule is evaluated (all-match, not first-match) and
 * the actions of every matching rule are gathered; a discard wins over everything else. An
 * analyzer or destination asked for by several rules runs once, in the most urgent of their lanes.
 */

export interface ActionOutcome {
  action: Action;
  /** The rule matched and, for a run with a series selection, this series was selected. */
  selected: boolean;
  /** Why this series was or was not selected by `run.series`. */
  series?: Explanation | undefined;
}

export interface RuleOutcome {
  ruleId: string;
  description?: string | undefined;
  lane: Lane;
  matched: boolean;
  explanation: Explanation;
  actions: ActionOutcome[];
}

export interface RunRequest {
  analyzerId: string;
  lane: Lane;
  ruleId: string;
}

export interface ForwardRequest {
  destination: string;
  lane: Lane;
  ruleId: string;
}

export interface RoutingDecision {
  rules: RuleOutcome[];
  runs: RunRequest[];
  forwards: ForwardRequest[];
  /** The first matching discard rule: when set, nothing is run or forwarded. */
  discard?: { ruleId: string; reason: string } | undefined;
  /** The most urgent lane of what is queued; undefined when nothing is. */
  lane?: Lane | undefined;
}

function evaluateRule(rule: Rule, subject: SeriesSubject): RuleOutcome {
  const explanation = explain(rule.when, subject);
  const actions = rule.actions.map((action): ActionOutcome => {
    if (!('run' in action) || action.run.series === undefined) return { action, selected: explanation.passed };
    const series = explain(action.run.series, subject);
    return { action, selected: explanation.passed && series.passed, series };
  });
  return { ruleId: rule.id, description: rule.description, lane: rule.lane, matched: explanation.passed, explanation, actions };
}

/** Keeps one request per key, in the most urgent lane asked for (the first rule asking in it names it). */
function merge<T extends { lane: Lane }>(requests: T[], keyOf: (r: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const r of requests) {
    const seen = byKey.get(keyOf(r));
    if (!seen || soonerLane(r.lane, seen.lane) !== seen.lane) byKey.set(keyOf(r), r);
  }
  return [...byKey.values()];
}

export function decideRouting(document: RulesDocument, subject: SeriesSubject): RoutingDecision {
  const rules = document.rules.map((rule) => evaluateRule(rule, subject));
  const selected = rules.flatMap((r) => r.actions.filter((a) => a.selected).map((a) => ({ rule: r, action: a.action })));
  const discard = selected.find(({ action }) => 'discard' in action);
  if (discard && 'discard' in discard.action) return { rules, runs: [], forwards: [], discard: { ruleId: discard.rule.ruleId, reason: discard.action.discard.reason } };
  const runs = merge(
    selected.flatMap(({ rule, action }) => ('run' in action ? action.run.analyzers.map((analyzerId) => ({ analyzerId, lane: rule.lane, ruleId: rule.ruleId })) : [])),
    (r) => r.analyzerId,
  );
  const forwards = merge(
    selected.flatMap(({ rule, action }) => ('forward' in action ? [{ destination: action.forward.destination, lane: rule.lane, ruleId: rule.ruleId }] : [])),
    (f) => f.destination,
  );
  const lanes = [...runs, ...forwards].map((r) => r.lane);
  return { rules, runs, forwards, lane: lanes.length === 0 ? undefined : lanes.reduce(soonerLane) };
}
