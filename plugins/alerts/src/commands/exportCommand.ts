/**
 * `plugboard alerts export`: the rules of the config (built-ins included) as a Prometheus rule
 * file, or as a `promtool test rules` file for that rule file.
 */
import { writeFile } from 'node:fs/promises';
import { parseDuration, PlugboardError, type PluginCommand } from '@plugboard/plugin-api';
import type { AlertsConfig } from '../config.js';
import { prometheusRuleFile } from '../export/prometheusRules.js';
import { promtoolTestFile } from '../export/promtoolTests.js';
import { assembleRules } from '../rules/ruleSet.js';

export const exportCommand: PluginCommand<AlertsConfig> = {
  name: 'alerts export',
  description: 'write the alert rules as a Prometheus rule file (or a promtool test file for it)',
  options: [
    { flags: '--format <format>', description: 'prometheus | promtool-test', default: 'prometheus' },
    { flags: '-o, --output <file>', description: 'file to write (default: standard output)' },
    { flags: '--rule-file <file>', description: 'promtool-test: the rule file the tests load', default: 'plugboard.rules.yml' },
  ],
  async run(options, ctx) {
    const format = String(options.format ?? 'prometheus');
    const rules = assembleRules(ctx.config, new Map());
    const intervalMs = parseDuration(ctx.config.evaluationInterval, 'plugins.alerts.evaluationInterval');
    let text: string;
    if (format === 'prometheus') text = prometheusRuleFile(rules, { intervalMs });
    else if (format === 'promtool-test') text = promtoolTestFile(rules, { intervalMs, ruleFile: String(options.ruleFile ?? 'plugboard.rules.yml') });
    else throw new PlugboardError('invalidArgument', `--format is '${format}': use 'prometheus' or 'promtool-test'.`);
    if (typeof options.output === 'string') {
      await writeFile(options.output, text);
      ctx.out.write(`wrote ${rules.length} rule(s) to ${options.output}\n`);
    } else ctx.out.write(text);
  },
};
