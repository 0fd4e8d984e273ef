import type { Command } from 'commander';
import { isRolloutMode, rolloutModes } from '../domain/rollout-mode.js';
import { approvals, type AnalyzerVersion } from '../store/analyzer-registry.js';
import { requestHub } from './hub-request.js';

export function registerAnalyzerCommands(program: Command): void {
  const analyzers = program.command('analyzers').description("a running hub's analyzers: registry, approvals and rollout modes");
  analyzers
    .command('mode')
    .description(`set an analyzer's rollout mode (${rolloutModes.join(' | ')}); the change is audited with its reason`)
    .argument('<id>', 'analyzer id')
    .argument('<mode>', rolloutModes.join(' | '))
    .requiredOption('--reason <text>', 'why the mode changes')
    .option('--site <site>', 'only at this site (default: every site without a mode of its own)')
    .option('--url <url>', 'hub HTTP base URL', 'http://127.0.0.1:8080')
    .action(async (id: string, mode: string, o: { reason: string; site?: string; url: string }) => {
      if (!isRolloutMode(mode)) throw new Error(`mode must be one of ${rolloutModes.join(', ')}; got ${mode}`);
      const answer = (await requestHub(o.url, 'PUT', `/api/analyzers/${encodeURIComponent(id)}/mode`, { mode, reason: o.reason, ...(o.site ? { site: o.site } : {}) })) as {
        site: string;
        previous: string;
      };
      console.log(`${id} at ${answer.site === '*' ? 'every site' : answer.site}: ${answer.previous} -> ${mode}`);
    });
  analyzers
    .command('list')
    .description('list every registered analyzer version: intended use, model hash, approval and sites')
    .option('--url <url>', 'hub HTTP base URL', 'http://127.0.0.1:8080')
    .action(async (o: { url: string }) => {
      const { analyzers: versions } = (await requestHub(o.url, 'GET', '/api/analyzers')) as { analyzers: AnalyzerVersion[] };
      if (versions.length === 0) console.log('no analyzers registered');
      for (const v of versions) {
        console.log([`${v.analyzerId}@${v.version}`, v.approval, v.sites.join(','), v.modelHash ?? 'no model file', v.description.intendedUse].join('\t'));
      }
    });
  analyzers
    .command('register')
    .description('register the version an analyzer module describes, pending approval')
    .argument('<module>', 'file: URL or absolute path of a module exporting createAnalyzer')
    .requiredOption('--reason <text>', 'why it is registered')
    .option('--options <json>', 'the options passed to createAnalyzer, as JSON')
    .option('--url <url>', 'hub HTTP base URL', 'http://127.0.0.1:8080')
    .action(async (module: string, o: { reason: string; options?: string; url: string }) => {
      const options = o.options === undefined ? {} : { options: JSON.parse(o.options) as unknown };
      const answer = (await requestHub(o.url, 'POST', '/api/analyzers', { module: { url: module, ...options }, reason: o.reason })) as { registered: boolean; version: AnalyzerVersion };
      console.log(`${answer.version.analyzerId}@${answer.version.version}: ${answer.registered ? 'registered, pending approval' : 'registered already'}`);
    });
  analyzers
    .command('approve')
    .description('approve an analyzer version (the version approved before it is retired), or set it back to pending or retired')
    .argument('<id>', 'analyzer id')
    .argument('<version>', 'analyzer version')
    .requiredOption('--reason <text>', 'why, for the audit log')
    .option('--sites <sites>', 'comma-separated sites it runs at (default every site)')
    .option('--as <approval>', `${approvals.join(' | ')}`, 'approved')
    .option('--url <url>', 'hub HTTP base URL', 'http://127.0.0.1:8080')
    .action(async (id: string, version: string, o: { reason: string; sites?: string; as: string; url: string }) => {
      const body = { approval: o.as, reason: o.reason, ...(o.sites ? { sites: o.sites.split(',') } : {}) };
      const answer = (await requestHub(o.url, 'PUT', `/api/analyzers/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}/approval`, body)) as {
        before: AnalyzerVersion;
        after: AnalyzerVersion;
        retired: string[];
      };
      const retired = answer.retired.length > 0 ? `; retired ${answer.retired.join(', ')}` : '';
      console.log(`${id}@${version}: ${answer.before.approval} -> ${answer.after.approval} at ${answer.after.sites.join(', ')}${retired}`);
    });
  analyzers
    .command('modes')
    .description('list the rollout modes in force')
    .option('--url <url>', 'hub HTTP base URL', 'http://127.0.0.1:8080')
    .action(async (o: { url: string }) => {
      console.log(JSON.stringify(await requestHub(o.url, 'GET', '/api/analyzers/modes'), null, 2));
    });
}
