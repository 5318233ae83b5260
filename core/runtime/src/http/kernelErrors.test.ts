import { describe, expect, it } from 'vitest';
import { ApiError, PlugboardError, type PlugboardErrorKind } from '@plugboard/plugin-api';
import { kindAnswer, toApiError } from './kernelErrors.js';

describe('kindAnswer', () => {
  it('gives every PlugboardError kind a status and a snake_case code', () => {
    const kinds: PlugboardErrorKind[] = [
      'pluginInvalid',
      'pluginNotFound',
      'missingDependency',
      'circularDependency',
      'versionMismatch',
      'configInvalid',
      'serviceUnavailable',
      'serviceUndeclared',
      'pluginStartFailed',
      'pluginStopFailed',
      'timeout',
      'invalidState',
      'invalidArgument',
    ];
    expect(Object.fromEntries(kinds.map((kind) => [kind, kindAnswer(kind)]))).toEqual({
      pluginInvalid: { status: 500, code: 'plugin_invalid' },
      pluginNotFound: { status: 404, code: 'plugin_not_found' },
      missingDependency: { status: 409, code: 'missing_dependency' },
      circularDependency: { status: 409, code: 'circular_dependency' },
      versionMismatch: { status: 409, code: 'version_mismatch' },
      configInvalid: { status: 422, code: 'config_invalid' },
      serviceUnavailable: { status: 503, code: 'service_unavailable' },
      serviceUndeclared: { status: 500, code: 'service_undeclared' },
      pluginStartFailed: { status: 500, code: 'plugin_start_failed' },
      pluginStopFailed: { status: 500, code: 'plugin_stop_failed' },
      timeout: { status: 500, code: 'timeout' },
      invalidState: { status: 409, code: 'invalid_state' },
      invalidArgument: { status: 400, code: 'invalid_argument' },
    });
  });

  it('answers a kind it does not know 500, in snake_case', () => {
    expect(kindAnswer('quotaExceededSoon')).toEqual({ status: 500, code: 'quota_exceeded_soon' });
    expect(kindAnswer('toString')).toEqual({ status: 500, code: 'to_string' });
  });
});

describe('toApiError', () => {
  it('keeps the message, the cause and non-empty details', () => {
    const err = new PlugboardError('configInvalid', "The config file 'x.yaml' has 1 problem; the running config is kept.", { details: { problems: ['a: b'] } });
    const api = toApiError(err) as ApiError;
    expect(api).toBeInstanceOf(ApiError);
    expect({ status: api.status, code: api.code, message: api.message, details: api.details, cause: api.cause }).toEqual({
      status: 422,
      code: 'config_invalid',
      message: "The config file 'x.yaml' has 1 problem; the running config is kept.",
      details: { problems: ['a: b'] },
      cause: err,
    });
    expect((toApiError(new PlugboardError('invalidState', 'Busy.')) as ApiError).details).toBeUndefined();
  });

  it('returns other errors unchanged', () => {
    const err = new Error('kernel bug');
    expect(toApiError(err)).toBe(err);
  });
});
