/**
 * The sampler of `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`, or, without them, a
 * parent-based ratio sampler with the config's ratio: a request that arrives with a sampled
 * `traceparent` is traced whatever the ratio.
 */
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import { PlugboardError } from '@plugboard/plugin-api';

const NAMES = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

/**
 * @example
 * createSampler(0.1, { OTEL_TRACES_SAMPLER: 'parentbased_always_on' });
 */
export function createSampler(configRatio: number, env: NodeJS.ProcessEnv = process.env): Sampler {
  const name = (env['OTEL_TRACES_SAMPLER'] ?? 'parentbased_traceidratio').trim().toLowerCase();
  const ratio = (): number => {
    const arg = env['OTEL_TRACES_SAMPLER_ARG'];
    if (arg === undefined || arg.trim() === '') return configRatio;
    const value = Number(arg);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new PlugboardError('configInvalid', `OTEL_TRACES_SAMPLER_ARG is '${arg}', which is not a ratio: set it to a number from 0 to 1.`);
    }
    return value;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      throw new PlugboardError(
        'configInvalid',
        `OTEL_TRACES_SAMPLER is '${name}', which this plugin does not know: use one of ${NAMES.map((n) => `'${n}'`).join(', ')}, or unset it.`,
      );
  }
}
