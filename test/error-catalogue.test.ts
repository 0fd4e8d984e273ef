import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { errorCatalogue } from '../src/domain/errors.js';

describe('error catalogue', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

  it('documents every code with its DIMSE status and HTTP status', () => {
    for (const [code, entry] of Object.entries(errorCatalogue)) {
      const row = doc.split('\n').find((line) => line.startsWith(`| ${code} |`));
      assert.ok(row, `${code} is missing from docs/errors.md`);
      assert.ok(row.includes(`| ${entry.httpStatus} |`), `${code}: HTTP ${entry.httpStatus} not in "${row}"`);
    }
  });

  it('maps each code to a DIMSE status of the right class', () => {
    for (const [code, entry] of Object.entries(errorCatalogue)) {
      const s = entry.dimseStatus;
      const failure = (s >= 0xa000 && s <= 0xafff) || (s >= 0xc000 && s <= 0xcfff) || [0x0110, 0x0111, 0x0122].includes(s);
      assert.ok(failure, `${code}: 0x${s.toString(16)} is not a DIMSE failure status`);
    }
  });
});
