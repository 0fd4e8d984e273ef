import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AttributeDict } from '../route/attribute-names.js';
import type { TestReport } from '../route/rule-tester.js';
import { reportOn } from '../route/rule-tester.js';
import { readRulesFile } from '../route/rules-validation.js';
import { seriesUidOf, subjectFromHeaders } from '../route/series-subject.js';
import { instanceMetadata } from '../dicomweb/instance-metadata.js';
import { collectDicomFiles } from './collect-files.js';
import { requestHub } from './hub-request.js';
import { reportText } from './rules-report.js';

interface TestOptions {
  rules?: string;
  at?: string;
  sender?: string;
  context: string[];
  study?: string;
  url: string;
  json?: boolean;
}

/** key=value; true/false become booleans and numbers numbers, as an HL7 order's fields would. */
function contextOf(pairs: string[]): Record<string, string | number | boolean> {
  const context: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--context takes key=value, got ${JSON.stringify(pair)}`);
    const raw = pair.slice(eq + 1);
    context[pair.slice(0, eq)] = raw === 'true' ? true : raw === 'false' ? false : raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return context;
}

function instantOf(at: string | undefined): Date {
  if (at === undefined) return new Date();
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) throw new Error(`--at must be an ISO 8601 date and time, got ${at}`);
  return date;
}

/** Reads the headers of DICOM files, grouped by series in the order first seen; other files are skipped and named. */
async function headersBySeries(paths: string[]): Promise<Map<string, AttributeDict[]>> {
  const bySeries = new Map<string, AttributeDict[]>();
  for (const file of await collectDicomFiles(paths)) {
    let header: AttributeDict;
    try {
      header = instanceMetadata(await readFile(file));
    } catch {
      console.error(`skipped ${file}: not a DICOM file`);
      continue;
    }
    const uid = seriesUidOf(header) ?? '';
    bySeries.set(uid, [...(bySeries.get(uid) ?? []), header]);
  }
  return bySeries;
}

async function testFiles(paths: string[], o: TestOptions): Promise<TestReport> {
  if (!o.rules) throw new Error('offline testing needs --rules <file>; to test a stored study against the hub, use --study <uid> --url <hub>');
  const checked = await readRulesFile(o.rules);
  if (!checked.ok) throw new Error(`${o.rules} is not a valid rules document:\n${checked.issues.map((i) => `  ${i}`).join('\n')}`);
  const at = instantOf(o.at);
  const series = [...(await headersBySeries(paths)).values()].map((headers) =>
    reportOn(subjectFromHeaders(headers, { senderAeTitle: o.sender, at, context: contextOf(o.context) }), checked.document),
  );
  if (series.length === 0) throw new Error('no DICOM files found');
  return { rulesVersion: 'draft', at: at.toISOString(), series };
}

async function testStudy(o: TestOptions & { study: string }): Promise<TestReport> {
  const draft = o.rules ? await readRulesFile(o.rules) : undefined;
  if (draft && !draft.ok) throw new Error(`${o.rules} is not a valid rules document:\n${draft.issues.map((i) => `  ${i}`).join('\n')}`);
  const body = { studyUid: o.study, context: contextOf(o.context), ...(o.at ? { at: instantOf(o.at).toISOString() } : {}), ...(draft?.ok ? { rules: draft.document } : {}) };
  return (await requestHub(o.url, 'POST', '/api/rules/test', body)) as TestReport;
}

export function registerRulesCommands(program: Command): void {
  const rules = program.command('rules').description('routing rules: validate a rules file, test rules on files or a stored study');
  rules
    .command('check')
    .description('validate a rules file (YAML or JSON) and list every problem with its path')
    .argument('<file>', 'rules document')
    .action(async (file: string) => {
      const checked = await readRulesFile(file);
      if (checked.ok) {
        console.log(`${file}: valid, ${checked.document.rules.length} rule(s)`);
        return;
      }
      for (const issue of checked.issues) console.error(issue);
      process.exitCode = 1;
    });
  rules
    .command('test')
    .description('show which rules match each series of DICOM files or folders (offline) or of a stored study (--study, asks the hub), and why')
    .argument('[paths...]', 'DICOM files or folders')
    .option('--rules <file>', 'rules document (required offline; with --study, tested as a draft instead of the rules in force)')
    .option('--at <iso>', 'the time to test at (time windows), default now')
    .option('--sender <ae>', 'the sending AE title (offline)')
    .option('--context <key=value>', 'clinical context, repeatable (e.g. traumaActivation=true)', (v: string, all: string[]) => [...all, v], [])
    .option('--study <uid>', 'a study stored in the hub')
    .option('--url <url>', 'hub HTTP base URL', 'http://127.0.0.1:8080')
    .option('--json', 'print the report as JSON')
    .action(async (paths: string[], o: TestOptions) => {
      if ((o.study === undefined) === (paths.length === 0)) throw new Error('give DICOM files or folders, or --study <uid>, not both');
      const report = o.study !== undefined ? await testStudy({ ...o, study: o.study }) : await testFiles(paths, o);
      console.log(o.json ? JSON.stringify(report, null, 2) : reportText(report));
    });
}
