import type { Code } from '../domain/finding.js';

/** A Code as a Code Sequence item (PS3.3 8.8), in dcmjs naturalized form. Pure. */

/** Code Value is SH (16 characters); a longer value goes into Long Code Value (PS3.3 8.8.1). */
const MAX_CODE_VALUE = 16;
/** Code Meaning is LO. */
const MAX_MEANING = 64;

export type CodeItem = Record<string, string>;

export function codeItem(code: Code): CodeItem {
  return {
    ...(code.value.length > MAX_CODE_VALUE ? { LongCodeValue: code.value } : { CodeValue: code.value }),
    CodingSchemeDesignator: code.scheme,
    CodeMeaning: code.meaning.slice(0, MAX_MEANING),
  };
}

export const dcmCode = (value: string, meaning: string): Code => ({ scheme: 'DCM', value, meaning });
export const sctCode = (value: string, meaning: string): Code => ({ scheme: 'SCT', value, meaning });
