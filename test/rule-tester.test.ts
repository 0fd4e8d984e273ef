import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pino from 'pino';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { buildApp } from '../src/app.js';
import { ConfigError } from '../src/config/load.js';
import type { Explanation } from '../src/route/predicate-evaluation.js';
import type { TestReport } from '../src/route/rule-tester.js';
import { startTestHub, tempDir, testConfig, type TestHub } from './support/test-hub.js';
import { writeSynth } from './support/trauma-study.js';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const exampleRules = path.join(repo, 'docs/rules-example.yaml');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/radbridge.ts', ...args], { cwd: repo });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function post(hub: TestHub, body: unknown): Promise<{ status: number; body: TestReport & { error?: string; issues?: string[]; message?: string } }> {
  const r = await fetch(`${hub.url}/api/rules/test`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as TestReport & { error?: string } };
}

/** The destinations docs/rules-example.yaml forwards to. */
const exampleDestinations = { 'research-archive': { host: '127.0.0.1', port: 9, aeTitle: 'RESEARCH' }, teleradiology: { host: '127.0.0.1', port: 9, aeTitle: 'TELERAD' } };

const find = (e: Explanation, looked: string): Explanation | undefined => (e.looked === looked ? e : (e.children ?? []).map((c) => find(c, looked)).find(Boolean));

describe('the rules file at start', () => {
  it('is validated, stored as the current version by the hub and audited; the same file again is no change', async () => {
    const dataDir = tempDir();
    const config = testConfig(dataDir, { routing: { rulesFile: exampleRules }, destinations: exampleDestinations });
    for (let start = 0; start < 2; start++) {
      const app = await buildApp(config, { log: pino({ level: 'silent' }) });
      const versions = await app.database.db.selectFrom('rule_documents').select(['version', 'changed_by', 'reason']).execute();
      assert.deepEqual(versions, [{ version: 1, changed_by: 'radbridge', reason: `loaded at start from ${exampleRules}` }]);
      const audit = await app.database.db.selectFrom('audit_log').select(['actor', 'source']).where('event_type', '=', 'config.rules-changed').execute();
      assert.deepEqual(audit, [{ actor: 'radbridge', source: `file ${exampleRules}` }]);
      await app.close();
    }
  });

  it('refuses to start on a bad rules file, naming every problem with its path', async () => {
    const file = path.join(tempDir(), 'rules.yaml');
    writeFileSync(file, 'version: 1\nrules:\n  - id: a\n    when: { attribute: Modality, regex: "(" }\n    actions: [{ run: { analyzers: [x] } }]\n  - id: a\n    when: { time: { from: "22:00", to: "22:00" } }\n    actions: [{ discard: {} }]\n');
    await assert.rejects(buildApp(testConfig(tempDir(), { routing: { rulesFile: file } }), { log: pino({ level: 'silent' }) }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, [
        `routing.rulesFile ${file}: rules[0].when.regex: invalid regular expression "("`,
        `routing.rulesFile ${file}: rules[1].when.time: from and to must differ`,
        `routing.rulesFile ${file}: rules[1].actions[0].discard.reason: Invalid input: expected string, received undefined`,
        `routing.rulesFile ${file}: rules[1].id: rule id "a" is used twice`,
      ]);
      return true;
    });
  });

  it('a hub without a rules file has no rules', async () => {
    const app = await buildApp(testConfig(tempDir()), { log: pino({ level: 'silent' }) });
    const response = await app.http.inject({ method: 'GET', url: '/api/rules' });
    assert.deepEqual(response.json(), { version: 0, document: { version: 1, rules: [] } });
    await app.close();
  });
});

describe('the rule tester', () => {
  let hub: TestHub;
  let head: ReturnType<typeof writeSynth>;
  let headDir: string;
  before(async () => {
    hub = await startTestHub({ routing: { rulesFile: exampleRules }, destinations: exampleDestinations, completion: { quietPeriodMs: 60_000, sweepIntervalMs: 60_000 } });
    headDir = tempDir();
    head = writeSynth('trauma-ct-head', headDir);
    const target = { host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT_TRAUMA2', calledAeTitle: 'RADBRIDGE' };
    assert.equal((await sendFiles(target, head.series.flatMap((s) => s.files))).failures.length, 0);
  });
  after(async () => {
    await hub.stop();
  });

  it('tests every series of a stored study, explaining each rule, without waiting for completion and without recording anything', async () => {
    const r = await post(hub, { studyUid: head.studyUid, at: '2026-03-02T10:00:00Z' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.rulesVersion, 1);
    assert.deepEqual(r.body.series.map((s) => [s.seriesUid, s.sender, s.classification?.bodyRegion.value]), head.series.map((s) => [s.seriesUid, 'CT_TRAUMA2', 'head']));
    const [brain, bone] = r.body.series;
    const rule = brain?.rules.find((x) => x.ruleId === 'trauma-head-ct');
    assert.equal(rule?.matched, true);
    assert.deepEqual(find(rule?.explanation, 'sender AE title'), { kind: 'sender', passed: true, looked: 'sender AE title', actual: ['CT_TRAUMA2'], test: 'in ["CT_TRAUMA1", "CT_TRAUMA2"]' });
    assert.deepEqual(brain?.runs, [{ analyzerId: 'intracranial-haemorrhage', lane: 'urgent', ruleId: 'trauma-head-ct' }]);
    const boneRule = bone?.rules.find((x) => x.ruleId === 'trauma-head-ct');
    assert.deepEqual([boneRule?.matched, boneRule?.actions[0]?.selected, bone?.runs], [true, false, []], 'the bone kernel is not selected by run.series');
    const night = brain?.rules.find((x) => x.ruleId === 'night-teleradiology');
    assert.deepEqual([night?.matched, find(night?.explanation as Explanation, 'time')?.actual], [false, 'mon 11:00 Europe/Berlin']);
    assert.equal((await hub.app.database.db.selectFrom('routing_decisions').select('id').execute()).length, 0);
    assert.equal((await hub.app.database.db.selectFrom('jobs').select('id').where('kind', '=', 'analysis.run').execute()).length, 0);
  });

  it('tests attributes given in the request, with the sender, the time, the clinical context and a draft document', async () => {
    const attributes = { Modality: 'CT', BodyPartExamined: 'HEAD', SeriesDescription: 'HEAD AXIAL BRAIN' };
    const r = await post(hub, { attributes, sender: 'CT_ROUTINE', context: { traumaActivation: true }, at: '2026-03-02T23:30:00+01:00' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const [series] = r.body.series;
    assert.deepEqual(series?.runs.map((x) => x.analyzerId), ['intracranial-haemorrhage'], 'a trauma activation stands in for a trauma scanner');
    assert.deepEqual(series?.forwards.map((x) => x.destination), ['teleradiology'], '23:30 in Berlin is night');
    const draft = { version: 1, rules: [{ id: 'chest-only', when: { classification: 'bodyRegion', equals: 'chest' }, actions: [{ run: { analyzers: ['ptx'] } }] }] };
    const withDraft = await post(hub, { attributes, rules: draft, classification: { bodyRegion: { value: 'chest' } } });
    assert.deepEqual([withDraft.body.rulesVersion, withDraft.body.series[0]?.runs.map((x) => x.analyzerId)], ['draft', ['ptx']], 'a given classification overrides the one from the attributes');
  });

  it('refuses bad requests: an unknown study, a bad time, an invalid draft, both forms at once', async () => {
    assert.deepEqual([(await post(hub, { studyUid: '1.2.3.4' })).status, (await post(hub, { studyUid: '1.2.3.4' })).body.error], [404, 'NOT_FOUND']);
    const badTime = await post(hub, { attributes: {}, at: 'yesterday' });
    assert.deepEqual([badTime.status, badTime.body.error], [400, 'BAD_REQUEST']);
    const badDraft = await post(hub, { attributes: {}, rules: { version: 1, rules: [{ id: 'x', when: { nope: 1 }, actions: [] }] } });
    assert.deepEqual([badDraft.status, badDraft.body.error, badDraft.body.issues?.length], [400, 'RULES_INVALID', 2]);
    assert.equal((await post(hub, { studyUid: head.studyUid, attributes: {} })).status, 400);
    const typo = await post(hub, { attributes: { Modality: 'CT', BodyPartExamind: 'HEAD' } });
    assert.deepEqual([typo.status, typo.body.issues], [400, ['attributes.BodyPartExamind: unknown DICOM attribute: use a keyword (Modality) or a tag (00080060)']]);
  });

  it('radbridge rules check validates a file and lists every problem', async () => {
    const ok = await cli('rules', 'check', exampleRules);
    assert.deepEqual([ok.code, ok.stdout.trim()], [0, `${exampleRules}: valid, 6 rule(s)`]);
    const file = path.join(tempDir(), 'bad.json');
    writeFileSync(file, JSON.stringify({ version: 1, rules: [{ id: 'x', when: { any: [{ attribute: 'Modality', regex: '(' }] }, actions: [{ run: { analyzers: ['a'] } }], lane: 'now' }] }));
    const bad = await cli('rules', 'check', file);
    assert.equal(bad.code, 1);
    assert.deepEqual(bad.stderr.trim().split('\n'), ['rules[0].when.any[0].regex: invalid regular expression "("', 'rules[0].lane: Invalid option: expected one of "urgent"|"normal"|"off-peak"']);
  });

  it('radbridge rules test explains the rules on files offline, grouped by series', async () => {
    const rulesFile = path.join(tempDir(), 'rules.yaml');
    copyFileSync(exampleRules, rulesFile);
    const r = await cli('rules', 'test', headDir, '--rules', rulesFile, '--sender', 'CT_TRAUMA1', '--at', '2026-03-02T21:30:00Z', '--context', 'traumaActivation=LEVEL1');
    assert.equal(r.code, 0, r.stderr);
    const blocks = r.stdout.split(/^series /m).slice(1);
    assert.equal(blocks.length, 2, 'two series');
    assert.match(blocks[0] ?? '', /^\S+ \(sender CT_TRAUMA1; body region head\)/);
    assert.match(blocks[0] ?? '', /MATCHED {5}trauma-head-ct \[urgent\]: run intracranial-haemorrhage/);
    assert.match(blocks[0] ?? '', /yes time: found mon 22:30 Europe\/Berlin -- between 22:00 and 07:00 \(Europe\/Berlin\)/);
    assert.match(blocks[0] ?? '', /yes context traumaActivation: found \["LEVEL1"\] -- exists/);
    assert.match(blocks[0] ?? '', /=> run intracranial-haemorrhage \(urgent, rule trauma-head-ct\)\n {2}=> forward to teleradiology/);
    assert.match(blocks[1] ?? '', /MATCHED {5}trauma-head-ct \[urgent\]: this series is not selected\n/);
    assert.match(blocks[1] ?? '', /series selection for run intracranial-haemorrhage:\n {8}no {2}not -- the part fails\n {10}yes classification ct\.kernel: found \["bone"\] -- equals "bone"/);
    assert.match(r.stderr, /skipped .*ground-truth\.json: not a DICOM file/);
    const offlineWithoutRules = await cli('rules', 'test', headDir);
    assert.equal(offlineWithoutRules.code, 2);
    assert.match(offlineWithoutRules.stderr, /offline testing needs --rules/);
  });

  it('radbridge rules test --study asks the hub; radbridge analyzers mode changes a mode with its reason', async () => {
    const r = await cli('rules', 'test', '--study', head.studyUid, '--url', hub.url, '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as TestReport;
    assert.deepEqual(report.series.map((s) => s.seriesUid), head.series.map((s) => s.seriesUid));
    const mode = await cli('analyzers', 'mode', 'intracranial-haemorrhage', 'assistive', '--reason', 'validation done', '--site', 'north', '--url', hub.url);
    assert.deepEqual([mode.code, mode.stdout.trim()], [0, 'intracranial-haemorrhage at north: silent -> assistive']);
    const audit = await hub.app.database.db.selectFrom('audit_log').select('detail').where('event_type', '=', 'config.rollout-mode-changed').execute();
    assert.deepEqual(audit.map((a) => JSON.parse(a.detail) as unknown), [{ analyzerId: 'intracranial-haemorrhage', site: 'north', from: 'silent', to: 'assistive', reason: 'validation done' }]);
    const noReason = await cli('analyzers', 'mode', 'intracranial-haemorrhage', 'active', '--url', hub.url);
    assert.deepEqual([noReason.code, /--reason/.test(noReason.stderr)], [2, true], 'a usage error');
    const blankReason = await cli('analyzers', 'mode', 'intracranial-haemorrhage', 'active', '--reason', ' ', '--url', hub.url);
    assert.deepEqual([blankReason.code, /reason/.test(blankReason.stderr)], [1, true], 'the hub refuses');
    const unknownMode = await cli('analyzers', 'mode', 'intracranial-haemorrhage', 'loud', '--reason', 'x', '--url', hub.url);
    assert.deepEqual([unknownMode.code, /mode must be one of silent, assistive, active/.test(unknownMode.stderr)], [2, true]);
  });
});
