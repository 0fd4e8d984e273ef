import type { AnalysisInput, AnalysisSeries, Analyzer, AnalyzerInputs, Applicability } from './analyzer.js';

/** Why one series falls short of what the analyzer declares it needs; empty when it does not. */
export function seriesShortfalls(inputs: AnalyzerInputs, series: AnalysisSeries): string[] {
  const why: string[] = [];
  const c = series.classification;
  const name = `series ${series.seriesUid}`;
  if (!inputs.modalities.includes(series.modality)) why.push(`${name} is ${series.modality || 'of no modality'}, not ${inputs.modalities.join(' or ')}`);
  if (inputs.bodyRegions) {
    const regions = new Set([c.bodyRegion.value, ...c.regions.map((r) => r.region)]);
    if (!inputs.bodyRegions.some((r) => regions.has(r))) why.push(`${name} shows ${[...regions].join(', ')}, not ${inputs.bodyRegions.join(' or ')}`);
  }
  if (inputs.kernels && !(c.ct && inputs.kernels.includes(c.ct.kernel.value))) {
    why.push(`${name} has a ${c.ct?.kernel.value ?? 'non-CT'} kernel, not ${inputs.kernels.join(' or ')}`);
  }
  if (inputs.primaryAxialOnly && c.ct?.reconstruction.value !== 'primary-axial') why.push(`${name} is not a primary axial series`);
  if (inputs.minInstances !== undefined && series.instances.length < inputs.minInstances) {
    why.push(`${name} has ${series.instances.length} instance(s), fewer than the ${inputs.minInstances} needed`);
  }
  return why;
}

/** The series that meet the declared inputs, with the reasons: applicable when at least one does. */
export function declaredApplicability(inputs: AnalyzerInputs, input: AnalysisInput): Applicability & { series: AnalysisSeries[] } {
  const checked = input.series.map((s) => ({ series: s, shortfalls: seriesShortfalls(inputs, s) }));
  const meeting = checked.filter((c) => c.shortfalls.length === 0).map((c) => c.series);
  if (meeting.length > 0) return { applicable: true, reasons: meeting.map((s) => `series ${s.seriesUid} meets the declared inputs`), series: meeting };
  const reasons = checked.flatMap((c) => c.shortfalls);
  return { applicable: false, reasons: reasons.length > 0 ? reasons : ['no series to analyze'], series: [] };
}

/** Whether the analyzer applies to its input: the declared inputs first, then the analyzer's own check, if it has one. */
export function applicabilityOf(analyzer: Analyzer, input: AnalysisInput): Applicability {
  const { applicable, reasons } = declaredApplicability(analyzer.description.inputs, input);
  if (!applicable) return { applicable, reasons };
  return analyzer.applicability?.(input) ?? { applicable, reasons };
}
