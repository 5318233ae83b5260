/**
 * Silences as Alertmanager has them: label matchers (equal or regex, positive or negated) with a
 * start and an end. An alert matched by an active silence is muted: still listed, not notified.
 */
import { randomUUID } from 'node:crypto';
import { PlugboardError } from '@plugboard/plugin-api';
import { z } from 'zod';
import type { Silence, SilenceInput, SilenceMatcher } from '../contract.js';

const matcherSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name is letters, digits and underscores'),
  value: z.string(),
  isRegex: z.boolean().default(false),
  isEqual: z.boolean().default(true),
});

/** A silence as the admin API and the config take it. */
export const silenceInputSchema = z
  .strictObject({
    matchers: z.array(matcherSchema).min(1, 'a silence needs at least one matcher, such as { "name": "alertname", "value": "HighCpuLoad" }'),
    startsAt: z.iso.datetime({ offset: true, error: 'startsAt must be an ISO time such as 2026-01-01T10:00:00Z' }).optional(),
    endsAt: z.iso.datetime({ offset: true, error: 'endsAt must be an ISO time such as 2026-01-01T12:00:00Z' }),
    createdBy: z.string().default('admin'),
    comment: z.string().default(''),
  })
  .superRefine((s, ctx) => {
    s.matchers.forEach((m, i) => {
      if (!m.isRegex) return;
      try {
        new RegExp(`^(?:${m.value})$`);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['matchers', i, 'value'], message: `not a valid regular expression: ${(err as Error).message}` });
      }
    });
    if (s.startsAt !== undefined && Date.parse(s.startsAt) >= Date.parse(s.endsAt)) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'endsAt must be after startsAt' });
    }
  });

/** True when every matcher holds for `labels` (a missing label reads as ''). */
export function matchesAll(matchers: readonly SilenceMatcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => {
    const value = labels[m.name] ?? '';
    const hit = m.isRegex === true ? new RegExp(`^(?:${m.value})$`).test(value) : value === m.value;
    return (m.isEqual ?? true) ? hit : !hit;
  });
}

export class Silences {
  private readonly byId = new Map<string, Silence>();
  private readonly saves = new Map<string, Promise<void>>();

  /** `persist`, when given, stores each silence added or expired (see SilenceStore); `saved(id)` awaits it. */
  constructor(
    private readonly now: () => number,
    private readonly persist?: (s: Silence) => Promise<void>,
  ) {}

  /** Puts back silences kept from before (not persisted again). */
  restore(silences: readonly Silence[]): void {
    for (const s of silences) this.byId.set(s.id, s);
  }

  private changed(silence: Silence, persist: boolean): void {
    this.byId.set(silence.id, silence);
    if (!persist || !this.persist) return;
    const previous = this.saves.get(silence.id) ?? Promise.resolve();
    const save = previous.catch(() => undefined).then(() => this.persist!(silence));
    this.saves.set(silence.id, save);
    void save.catch(() => undefined).finally(() => this.saves.get(silence.id) === save && this.saves.delete(silence.id));
  }

  /** Resolves once the silence's last change is stored; rejects with the store's error. */
  async saved(id: string): Promise<void> {
    await this.saves.get(id);
  }

  /**
   * Adds a silence; throws an `invalidArgument` PlugboardError naming the field for a bad one.
   *
   * @example
   * silences.add({ matchers: [{ name: 'alertname', value: 'HighCpuLoad' }], endsAt: '2026-01-01T12:00:00Z' })
   */
  add(input: SilenceInput, options: { persist?: boolean } = {}): Silence {
    const parsed = silenceInputSchema.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${['silence', ...i.path].map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '')}: ${i.message}`);
      throw new PlugboardError('invalidArgument', `The silence is invalid: ${problems.join('; ')}.`, { details: { problems } });
    }
    const s = parsed.data;
    const now = this.now();
    const endsAt = Date.parse(s.endsAt);
    if (endsAt <= now) {
      throw new PlugboardError('invalidArgument', `The silence is invalid: silence.endsAt: ${s.endsAt} is not in the future; give a later time.`, {
        details: { problems: [`silence.endsAt: ${s.endsAt} is not in the future`] },
      });
    }
    const silence: Silence = {
      id: randomUUID(),
      matchers: s.matchers,
      startsAt: new Date(s.startsAt === undefined ? now : Date.parse(s.startsAt)).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
      createdBy: s.createdBy,
      comment: s.comment,
    };
    this.changed(silence, options.persist ?? true);
    return silence;
  }

  /** Expires a silence now; false when there is none with that id. */
  remove(id: string): boolean {
    const silence = this.byId.get(id);
    if (!silence || Date.parse(silence.endsAt) <= this.now()) return false;
    this.changed({ ...silence, endsAt: new Date(this.now()).toISOString() }, true);
    return true;
  }

  /** Silences not expired yet (active or starting later), then expired ones of the last day. */
  list(): Silence[] {
    const now = this.now();
    for (const [id, s] of this.byId) if (Date.parse(s.endsAt) < now - 86_400_000) this.byId.delete(id);
    return [...this.byId.values()].sort((a, b) => Date.parse(b.endsAt) - Date.parse(a.endsAt));
  }

  /** True when an active silence matches `labels`. */
  mutes(labels: Readonly<Record<string, string>>): boolean {
    const now = this.now();
    for (const s of this.byId.values()) {
      if (Date.parse(s.startsAt) <= now && now < Date.parse(s.endsAt) && matchesAll(s.matchers, labels)) return true;
    }
    return false;
  }
}
