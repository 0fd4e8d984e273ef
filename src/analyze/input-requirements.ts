import type { AnalysisInput, AnalysisSeries, AnalyzerInputs, Applicability } from './analyzer.js';

/** Whether the series of an analysis input meet an analyzer's declared inputs, with the reasons. Pure. */

/** What a series lacks of `inputs`, one reason per requirement; empty when it meets them all. */
export function seriesShortfalls(inputs: AnalyzerInputs, series: AnalysisSeries): string[] {
  const reasons: string[] = [];
  const c = series.classification;
  const name = `series ${series.seriesUid}`;
  if (!inputs.modalities.includes(series.modality)) reasons.push(`${name} is ${series.modality}, not ${inputs.modalities.join(' or ')}`);
  if (inputs.bodyRegions) {
    const regions = new Set([c.bodyRegion.value, ...c.regions.map((r) => r.region)]);
    if (!inputs.bodyRegions.some((r) => regions.has(r))) reasons.push(`${name} shows ${[...regions].join(', ')}, not ${inputs.bodyRegions.join(' or ')}`);
  }
  if (inputs.kernels) {
    const kernel = c.ct?.kernel.value ?? 'unknown';
    if (!inputs.kernels.includes(kernel)) reasons.push(`${name} has a ${kernel} kernel, not ${inputs.kernels.join(' or ')}`);
  }
  if (inputs.primaryAxialOnly && c.ct?.reconstruction.value !== 'primary-axial') reasons.push(`${name} is not a primary axial reconstruction`);
  if (inputs.minInstances !== undefined && series.instances.length < inputs.minInstances) {
    reasons.push(`${name} has ${series.instances.length} instances, fewer than ${inputs.minInstances}`);
  }
  return reasons;
}

/** Applicable when at least one series meets every input; `series` are those that do. */
export function applicabilityOf(inputs: AnalyzerInputs, input: AnalysisInput): Applicability & { series: AnalysisSeries[] } {
  const checked = input.series.map((s) => ({ series: s, shortfalls: seriesShortfalls(inputs, s) }));
  const meeting = checked.filter((c) => c.shortfalls.length === 0).map((c) => c.series);
  if (meeting.length > 0) return { applicable: true, reasons: meeting.map((s) => `series ${s.seriesUid} meets the model's inputs`), series: meeting };
  const reasons = checked.flatMap((c) => c.shortfalls);
  return { applicable: false, reasons: reasons.length > 0 ? reasons : ['the input holds no series'], series: [] };
}
