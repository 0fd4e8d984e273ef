import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listAisDecisions, recordAisDecision } from '../src/store/ais-decisions.js';
import { verifyAuditChain } from '../src/store/audit-log.js';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './support/test-database.js';

/** AIS decisions (migration 0007) on both index databases: kept in full, read back in order, each audited with who and why. */

for (const kind of ['sqlite', 'postgres'] satisfies DatabaseKind[]) {
  describe(`AIS decisions on ${kind}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(kind);
    });
    after(async () => {
      await t.remove();
    });

    it('stores every decision with who and why, the latest last, and audits each in the chain', async () => {
      const base = { studyUid: '1.2.3', injuryId: '0123456789abcdef', mapped: { severity: 3, region: 'chest' }, source: '127.0.0.1' };
      await recordAisDecision(t.database, { ...base, confirmed: true, reason: 'matches CT', by: 'dr a' }, 1_700_000_000_000);
      await recordAisDecision(t.database, { ...base, confirmed: true, severity: 4, reason: 'larger on review', by: 'dr b' }, 1_700_000_000_500);
      assert.deepEqual(await listAisDecisions(t.database.db, '1.2.3'), [
        { injuryId: base.injuryId, confirmed: true, reason: 'matches CT', by: 'dr a', at: 1_700_000_000_000 },
        { injuryId: base.injuryId, confirmed: true, severity: 4, reason: 'larger on review', by: 'dr b', at: 1_700_000_000_500 },
      ]);
      assert.deepEqual(await listAisDecisions(t.database.db, '1.2.4'), []);
      const audit = await t.database.db.selectFrom('audit_log').select(['event_type', 'event_code', 'actor', 'study_uid']).where('event_type', '=', 'injury.ais-decided').orderBy('seq').execute();
      assert.deepEqual(audit.map((a) => [a.event_code, a.actor, a.study_uid]), [['110110', 'dr a', '1.2.3'], ['110110', 'dr b', '1.2.3']]);
      assert.equal((await verifyAuditChain(t.database.db)).ok, true);
    });
  });
}
