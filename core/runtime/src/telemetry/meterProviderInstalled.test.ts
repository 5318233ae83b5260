import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, expect, test } from 'vitest';
import { TestMetricReader } from './__fixtures__/TestMetricReader.js';
import { meterProviderInstalled } from './meterProviderInstalled.js';
import { installMeterProvider } from '@plugboard/plugin-api';

afterEach(() => {
  installMeterProvider(undefined);
});

test('meterProviderInstalled follows installMeterProvider, and its probe adds nothing to what is exported', async () => {
  expect(meterProviderInstalled()).toBe(false);
  const reader = new TestMetricReader();
  installMeterProvider(new MeterProvider({ readers: [reader] }));
  expect(meterProviderInstalled()).toBe(true);
  expect(meterProviderInstalled()).toBe(true);
  expect((await reader.collect()).resourceMetrics.scopeMetrics).toEqual([]);
  installMeterProvider(new MeterProvider({ readers: [new TestMetricReader()] }));
  expect(meterProviderInstalled()).toBe(true);
  installMeterProvider(undefined);
  expect(meterProviderInstalled()).toBe(false);
});
