import type { Command } from 'commander';
import { isRolloutMode, rolloutModes } from '../domain/rollout-mode.js';
import { requestHub } from './hub-request.js';

export function registerAnalyzerCommands(program: Command): void {
  const analyzers = program.command('analyzers').description("analyzers' rollout modes on a running hub");
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
    .command('modes')
    .description('list the rollout modes in force')
    .option('--url <url>', 'hub HTTP base URL', 'http://127.0.0.1:8080')
    .action(async (o: { url: string }) => {
      console.log(JSON.stringify(await requestHub(o.url, 'GET', '/api/analyzers/modes'), null, 2));
    });
}
