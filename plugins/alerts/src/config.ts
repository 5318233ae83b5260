/** The plugin's config section (`plugins.alerts`); every key is described in README.md. */
import { durationSchema } from '@plugboard/plugin-api';
import { z } from 'zod';
import { inhibitRuleSchema } from './notify/inhibit.js';
import { silenceInputSchema } from './notify/Silences.js';
import { BUILTIN_RULES } from './rules/builtin.js';
import { alertRuleInputSchema, comparisonSchema } from './rules/schema.js';

const builtinNames = BUILTIN_RULES.map((r) => r.name);

const builtinOverrideSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Run this built-in rule'),
  threshold: z.number({ error: 'the threshold must be a number' }).refine(Number.isFinite, 'the threshold must be a finite number').optional(),
  op: comparisonSchema.optional(),
  for: durationSchema.optional(),
  keepFiringFor: durationSchema.optional(),
  severity: z.enum(['info', 'warning', 'critical']).optional(),
});

export const webhookSchema = z.strictObject({
  name: z.string().min(1).describe('The receiver name sent in the payload'),
  url: z.url({ error: 'url must be an http(s) URL such as http://127.0.0.1:9099/hook' }),
  groupBy: z.array(z.string()).default(['alertname']).describe("Labels alerts are grouped by ('...' groups by every label)"),
  groupWait: durationSchema.default('30s').describe('Wait before the first notification of a new group'),
  groupInterval: durationSchema.default('5m').describe('Wait before notifying a group again after it changed'),
  repeatInterval: durationSchema.default('4h').describe('Wait before repeating a notification of an unchanged group'),
  sendResolved: z.boolean().default(true).describe('Notify when alerts resolve'),
  retries: z.number().int().min(0).max(20).default(5).describe('Retries of a failed delivery, with exponential backoff'),
  retryMinDelay: durationSchema.default('1s').describe('Delay before the first retry (doubling up to retryMaxDelay)'),
  retryMaxDelay: durationSchema.default('30s'),
  timeout: durationSchema.default('10s').describe('Longest one delivery attempt may take'),
});

export const configSchema = z.strictObject({
  evaluationInterval: durationSchema.default('15s').describe('How often every rule is evaluated'),
  resolveMissingAfter: durationSchema.default('5m').describe('A firing alert whose series disappeared resolves after this long'),
  keepResolvedFor: durationSchema.default('15m').describe('How long resolved alerts stay listed (and are resent to Alertmanager)'),
  externalUrl: z.string().default('http://127.0.0.1:3000').describe('Base of generatorURL links and of the webhook payload externalURL'),
  builtins: z
    .record(z.string(), builtinOverrideSchema)
    .default({})
    .superRefine((b, ctx) => {
      for (const name of Object.keys(b)) {
        if (!builtinNames.includes(name)) ctx.addIssue({ code: 'custom', path: [name], message: `there is no built-in rule '${name}': use one of ${builtinNames.join(', ')}` });
      }
    })
    .describe('Per built-in rule: enabled, threshold, op, for, keepFiringFor, severity'),
  rules: z.array(alertRuleInputSchema).default([]).describe('Your own rules'),
  log: z.boolean().default(true).describe('Log every alert that starts pending, fires or resolves'),
  alertmanagers: z
    .array(z.strictObject({ url: z.url({ error: 'url must be an http(s) URL such as http://127.0.0.1:9093' }), timeout: durationSchema.default('10s') }))
    .default([])
    .describe('Alertmanagers to push alerts to, as Prometheus does (POST /api/v2/alerts)'),
  webhooks: z.array(webhookSchema).default([]).describe("Webhook receivers (Alertmanager's webhook format, version 4)"),
  silences: z.array(silenceInputSchema).default([]).describe('Silences present from the start'),
  inhibitRules: z
    .array(inhibitRuleSchema)
    .default([{ source: { alertname: 'HighCpuLoad' }, target: { alertname: 'SlowDatabaseQueries' }, equal: [] }])
    .describe('While a source alert fires, matching target alerts are muted'),
});

export type AlertsConfig = z.output<typeof configSchema>;
export type WebhookConfig = z.output<typeof webhookSchema>;
