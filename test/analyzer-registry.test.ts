import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnalyzerVersion } from '../src/store/analyzer-registry.js';
import { runnableVersion } from '../src/store/analyzer-registry.js';
import { verifyAuditChain } from '../src/store/audit-log.js';
import { run } from './support/interop.js';
import { probeModule } from './support/probe-analyzers.js';
import { postgresDatabase, startTestHub, tempDir, type Overrides, type TestHub } from './support/test-hub.js';

/** The analyzer registry over HTTP and the command line: versions, model hashes, approval, sites, audit. */

const databases: Array<[string, () => Overrides]> = [
  ['sqlite', () => ({ kind: 'sqlite' })],
  ['postgres', postgresDatabase],
];

const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/radbridge.ts', ...args], { timeoutMs: 30_000 });

for (const [name, database] of databases) {
  describe(`analyzer registry on ${name}`, () => {
    let hub: TestHub;
    const hashFile = path.join(tempDir(), 'model.sha256');
    const send = async (method: string, url: string, body?: unknown) => {
      const r = await fetch(`${hub.url}${url}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const audit = (type: string) =>
      hub.app.database.db.selectFrom('audit_log').select(['outcome', 'actor', 'detail']).where('event_type', '=', type).orderBy('seq').execute();

    before(async () => {
      writeFileSync(hashFile, 'c'.repeat(64));
      hub = await startTestHub({ database: database(), analyzers: [probeModule({ id: 'ich', behaviour: 'finds', modelHashFile: hashFile })] });
    });
    after(async () => {
      await hub.stop();
    });

    it('registers the analyzers the configuration lists, pending approval, with their description and model hash', async () => {
      const r = await send('GET', '/api/analyzers');
      assert.equal(r.status, 200);
      const [ich, ...rest] = r.body.analyzers as AnalyzerVersion[];
      assert.deepEqual(rest, []);
      assert.deepEqual([ich?.analyzerId, ich?.version, ich?.approval, ich?.sites, ich?.modelHash], ['ich', '1.0.0', 'pending', ['*'], 'c'.repeat(64)]);
      assert.equal(ich?.description.intendedUse, 'testing the analysis stage; not for clinical use');
      const registered = await audit('config.analyzer-registered');
      assert.equal(registered.length, 1);
      assert.equal((JSON.parse(registered[0]?.detail ?? '{}') as { modelHash: string }).modelHash, 'c'.repeat(64));
    });

    it('registers a new version over HTTP once, and refuses the same version with another model', async () => {
      const module = probeModule({ id: 'ich', version: '2.0.0', behaviour: 'finds', modelHashFile: hashFile });
      const first = await send('POST', '/api/analyzers', { module, reason: 'vendor update' });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const again = await send('POST', '/api/analyzers', { module, reason: 'vendor update' });
      assert.deepEqual([again.status, again.body.registered], [200, false]);
      writeFileSync(hashFile, 'd'.repeat(64));
      const swapped = await send('POST', '/api/analyzers', { module, reason: 'same version, new weights' });
      assert.deepEqual([swapped.status, swapped.body.error], [409, 'ANALYZER_VERSION_CONFLICT']);
      assert.match(String(swapped.body.message), new RegExp(`ich@2\\.0\\.0 is registered already and its model hash ${'c'.repeat(64)} became ${'d'.repeat(64)}`));
      writeFileSync(hashFile, 'c'.repeat(64));
    });

    it('refuses a module that cannot be loaded, one that describes itself badly, and a change without a reason, auditing each refusal', async () => {
      const noFactory = await send('POST', '/api/analyzers', { module: { url: new URL('./support/raw-dicom.ts', import.meta.url).href }, reason: 'try' });
      assert.deepEqual([noFactory.status, noFactory.body.error], [422, 'ANALYZER_UNLOADABLE']);
      assert.match(String(noFactory.body.message), /does not export createAnalyzer/);
      const missing = await send('POST', '/api/analyzers', { module: { url: '/nonexistent/analyzer.js' }, reason: 'try' });
      assert.deepEqual([missing.status, missing.body.error], [422, 'ANALYZER_UNLOADABLE']);
      const badId = await send('POST', '/api/analyzers', { module: probeModule({ id: 'bad id!', behaviour: 'finds' }), reason: 'try' });
      assert.deepEqual([badId.status, badId.body.error], [422, 'ANALYZER_UNLOADABLE']);
      assert.match(String(badId.body.message), /id "bad id!" is not letters/);
      const relative = await send('POST', '/api/analyzers', { module: { url: 'analyzers/ich.js' }, reason: 'try' });
      assert.deepEqual([relative.status, relative.body.error], [400, 'BAD_REQUEST']);
      const noReason = await send('POST', '/api/analyzers', { module: probeModule({ id: 'ptx', behaviour: 'finds' }) });
      assert.deepEqual([noReason.status, noReason.body.error], [400, 'REASON_REQUIRED']);
      const refused = (await audit('config.analyzer-registered')).filter((a) => a.outcome !== 'success');
      assert.equal(refused.length, 6, 'the conflict of the test before and these five');
      assert.equal((await send('GET', '/api/analyzers')).body.analyzers instanceof Array, true);
      assert.equal(((await send('GET', '/api/analyzers')).body.analyzers as AnalyzerVersion[]).length, 2, 'nothing was registered');
    });

    it('approves one version at a time, for chosen sites, and audits before and after', async () => {
      const db = hub.app.database.db;
      assert.deepEqual(await runnableVersion(db, 'ich', 'main'), { why: 'analyzer ich has no approved version (registered: 1.0.0 pending, 2.0.0 pending)' });
      const north = await send('PUT', '/api/analyzers/ich/versions/1.0.0/approval', { approval: 'approved', sites: ['north'], reason: 'validated at north' });
      assert.equal(north.status, 200, JSON.stringify(north.body));
      assert.deepEqual(await runnableVersion(db, 'ich', 'main'), { why: 'ich@1.0.0 is not enabled at site main (sites: north)' });
      const atNorth = await runnableVersion(db, 'ich', 'north');
      assert.ok('version' in atNorth && atNorth.version.version === '1.0.0');

      const cliApprove = await cli('analyzers', 'approve', 'ich', '2.0.0', '--reason', 'validated everywhere', '--url', hub.url);
      assert.equal(cliApprove.code, 0, cliApprove.stderr);
      assert.equal(cliApprove.stdout.trim(), 'ich@2.0.0: pending -> approved at *; retired 1.0.0');
      const everywhere = await runnableVersion(db, 'ich', 'main');
      assert.ok('version' in everywhere && everywhere.version.version === '2.0.0');
      const listed = await cli('analyzers', 'list', '--url', hub.url);
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(listed.stdout.trim().split('\n').map((l) => l.split('\t').slice(0, 3)), [
        ['ich@1.0.0', 'retired', 'north'],
        ['ich@2.0.0', 'approved', '*'],
      ]);

      const changes = await audit('config.analyzer-approval-changed');
      assert.deepEqual(changes.map((c) => [c.outcome, JSON.parse(c.detail ?? '{}') as unknown]), [
        ['success', { analyzerId: 'ich', version: '1.0.0', from: { approval: 'pending', sites: ['*'] }, to: { approval: 'approved', sites: ['north'] }, retired: [], reason: 'validated at north' }],
        ['success', { analyzerId: 'ich', version: '2.0.0', from: { approval: 'pending', sites: ['*'] }, to: { approval: 'approved', sites: ['*'] }, retired: ['1.0.0'], reason: 'validated everywhere' }],
      ]);
      const unknown = await send('PUT', '/api/analyzers/ich/versions/9.9/approval', { approval: 'approved', reason: 'typo' });
      assert.deepEqual([unknown.status, unknown.body.error], [404, 'NOT_FOUND']);
      const badState = await send('PUT', '/api/analyzers/ich/versions/2.0.0/approval', { approval: 'blessed', reason: 'x' });
      assert.deepEqual([badState.status, badState.body.error], [400, 'BAD_REQUEST']);
      assert.match(String(badState.body.message), /unknown approval "blessed"/);
      assert.equal((await audit('config.analyzer-approval-changed')).filter((c) => c.outcome !== 'success').length, 2);
      assert.equal((await verifyAuditChain(db)).ok, true);
    });
  });
}
