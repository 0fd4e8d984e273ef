import { Command, CommanderError } from 'commander';
import { loadConfig } from '../config/load.js';
import { startHub } from '../hub.js';
import { sendFiles } from '../adapters/dimse/dimse-scu.js';
import { registerAnalyzerCommands } from './analyzer-commands.js';
import { collectDicomFiles } from './collect-files.js';
import { HubRefusal, requestHub } from './hub-request.js';
import { registerRulesCommands } from './rules-commands.js';
import { SYNTH_KINDS, isSynthKind, synthStudy } from '../synth/synth-study.js';
import { COMPRESSIONS, writeStudy, type Compression } from '../synth/write-study.js';

const program = new Command('radbridge').description('Vendor-neutral hub between a PACS and imaging AI').exitOverride();

program
  .command('start')
  .description('run the hub (DICOM and HTTP listeners, completion, pulls)')
  .option('-c, --config <file>', 'YAML or JSON configuration file (else RADBRIDGE_CONFIG, else embedded defaults)')
  .action(async (opts: { config?: string }) => {
    const config = loadConfig(opts.config ? { file: opts.config } : {});
    const hub = await startHub(config);
    const shutdown = () => {
      hub.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

program
  .command('send')
  .description('send DICOM files or folders to a C-STORE SCP')
  .argument('<paths...>', 'files or folders')
  .requiredOption('--to <host:port>', 'destination')
  .option('--aec <title>', 'called AE title', 'ANY-SCP')
  .option('--aet <title>', 'calling AE title', 'RADBRIDGE')
  .action(async (paths: string[], opts: { to: string; aec: string; aet: string }) => {
    const match = /^(.+):(\d+)$/.exec(opts.to);
    if (!match) throw new Error(`--to must be host:port, got ${opts.to}`);
    const files = await collectDicomFiles(paths);
    const result = await sendFiles({ host: match[1] as string, port: Number(match[2]), callingAeTitle: opts.aet, calledAeTitle: opts.aec }, files);
    for (const failure of result.failures) console.error(`${failure.file}: ${failure.reason}`);
    console.log(`sent ${result.sent} of ${files.length} file(s)`);
    if (result.failures.length > 0) process.exitCode = 1;
  });

program
  .command('status')
  .description("print a running hub's health and index counts")
  .option('--url <url>', 'hub HTTP base URL', 'http://127.0.0.1:8080')
  .action(async (opts: { url: string }) => {
    const response = await fetch(`${opts.url}/api/status`);
    const body = (await response.json()) as unknown;
    console.log(JSON.stringify(body, null, 2));
    if (!response.ok) process.exitCode = 1;
  });

const jobs = program.command('jobs').description("a running hub's jobs: the dead-letter list and manual retries");

jobs
  .command('list')
  .description('list jobs, newest first, with the reason each failed job was dead-lettered')
  .option('--status <status>', 'pending | running | done | failed (the dead-letter list)')
  .option('--kind <kind>', 'only jobs of this kind, such as study.pull')
  .option('--limit <n>', 'at most this many jobs', '100')
  .option('--url <url>', 'hub HTTP base URL', 'http://127.0.0.1:8080')
  .action(async (opts: { status?: string; kind?: string; limit: string; url: string }) => {
    const query = new URLSearchParams({ limit: opts.limit, ...(opts.status ? { status: opts.status } : {}), ...(opts.kind ? { kind: opts.kind } : {}) });
    for (const line of jobLines(await requestHub(opts.url, 'GET', `/api/jobs?${query}`))) console.log(line);
  });

jobs
  .command('retry')
  .description('queue a dead-lettered job again (attempts reset, deadline lifted)')
  .argument('<id>', 'job id')
  .option('--reason <text>', 'why, for the audit log')
  .option('--url <url>', 'hub HTTP base URL', 'http://127.0.0.1:8080')
  .action(async (id: string, opts: { reason?: string; url: string }) => {
    await requestHub(opts.url, 'POST', `/api/jobs/${encodeURIComponent(id)}/retry`, opts.reason !== undefined ? { reason: opts.reason } : {});
    console.log(`job ${id} queued again`);
  });

program
  .command('synth')
  .description('write a deterministic synthetic study (DICOM files and ground-truth.json) into a folder')
  .argument('<kind>', SYNTH_KINDS.join(' | '))
  .requiredOption('--out <folder>', 'folder to write the study into')
  .option('--seed <n>', 'seed: the same seed gives byte-identical files', '1')
  .option('--matrix <n>', 'image matrix (columns; CT and US are square)', '512')
  .option('--normal', 'a normal control without findings')
  .option('--compress <codec>', `lossless compression by DCMTK: ${COMPRESSIONS.join(' | ')}`)
  .option('--thickness <mm>', 'CT slice thickness and spacing', '5')
  .option('--frames <n>', 'ultrasound cine frames', '48')
  .option('--monochrome1', 'radiographs in MONOCHROME1')
  .action((kind: string, opts: { out: string; seed: string; matrix: string; normal?: boolean; compress?: string; thickness: string; frames: string; monochrome1?: boolean }) => {
    if (!isSynthKind(kind)) throw new Error(`kind must be one of ${SYNTH_KINDS.join(', ')}; got ${kind}`);
    const compress = opts.compress;
    if (compress !== undefined && !(COMPRESSIONS as readonly string[]).includes(compress)) throw new Error(`--compress must be one of ${COMPRESSIONS.join(', ')}`);
    const int = (name: string, v: string, min: number, max: number): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${v}`);
      return n;
    };
    const study = synthStudy(kind, {
      seed: int('seed', opts.seed, 0, Number.MAX_SAFE_INTEGER),
      matrix: int('matrix', opts.matrix, 32, 2048),
      normal: opts.normal ?? false,
      sliceThicknessMm: int('thickness', opts.thickness, 1, 50),
      frames: int('frames', opts.frames, 1, 1000),
      monochrome1: opts.monochrome1 ?? false,
    });
    const files = writeStudy(study, opts.out, compress as Compression | undefined);
    console.log(`wrote ${files.length} DICOM file(s) and ground-truth.json to ${opts.out}`);
  });

function jobLines(body: unknown): string[] {
  const { jobs: rows } = body as { jobs: Array<{ id: number; kind: string; status: string; attempts: number; max_attempts: number; last_error: string | null }> };
  if (rows.length === 0) return ['no jobs'];
  return rows.map((j) => [j.id, j.kind, j.status, `${j.attempts}/${j.max_attempts}`, j.last_error ?? ''].join('\t'));
}

registerRulesCommands(program);
registerAnalyzerCommands(program);

// Exit 1: the answer is no (the hub refused, a check failed); exit 2: the command could not run.
program.parseAsync().catch((err: unknown) => {
  // Commander has printed its own usage errors and help.
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof HubRefusal ? 1 : 2);
});
