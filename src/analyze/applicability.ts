import type { AnalysisInput, AnalysisSeries, Analyzer, AnalyzerInputs, Applicability } from './analyzer.js';

/** Why one series falls short of what the analyzer declares it needs; empty when it does not. */
function shortfalls(inputs: AnalyzerInputs, series: AnalysisSeries): string[] {
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

/**
 * Whether the analyzer applies to its input: every series must meet the declared inputs, then the
 * analyzer's own check, if it has one, has the last word. Reasons name the series and the requirement.
 */
export function applicabilityOf(analyzer: Analyzer, input: AnalysisInput): Applicability {
  const why = input.series.flatMap((s) => shortfalls(analyzer.description.inputs, s));
  if (input.series.length === 0) why.push('no series to analyze');
  if (why.length > 0) return { applicable: false, reasons: why };
  return analyzer.applicability?.(input) ?? { applicable: true, reasons: [`${input.series.length} series meet the declared inputs`] };
}
