/**
 * Tokens for what a plugin's context holds, so classes built by `ctx.create` can take them by
 * injection. `Symbol.for` keeps them equal across copies of `@plugboard/core`.
 *
 * @example
 * @injectable()
 * class Notifier {
 *   constructor(@inject(contextTokens.config) private readonly config: AlertsConfig) {}
 * }
 */
export const contextTokens = {
  /** The plugin's validated config section. */
  config: Symbol.for('plugboard.ctx.config'),
  /** The plugin's pino logger. */
  logger: Symbol.for('plugboard.ctx.logger'),
  /** The plugin's OpenTelemetry meter. */
  meter: Symbol.for('plugboard.ctx.meter'),
  /** The plugin's OpenTelemetry tracer. */
  tracer: Symbol.for('plugboard.ctx.tracer'),
} as const;
