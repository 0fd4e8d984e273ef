import type { Finding } from '../domain/finding.js';

/** What a finding is, in words for people: its type, site and side, e.g. 'Intracranial hemorrhage, Intracranial structure, right'. Pure. */
export function findingLabel(finding: Finding): string {
  return [finding.type.meaning, finding.site?.meaning, finding.laterality].filter((part) => part !== undefined).join(', ');
}
