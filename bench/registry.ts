/**
 * What a live handle costs per call: the same async method called directly on the provider and
 * through the registry's live handle, in alternating rounds so drift (JIT, GC, CPU frequency) hits
 * both sides alike. Prints a table, then one JSON line.
 */
import { pino } from 'pino';
import { ServiceRegistry } from '../core/runtime/src/services/ServiceRegistry.js';
import { serviceRef } from '@plugboard/plugin-api';
import { median, round1, round2 } from './stats.js';

interface Calculator {
  add(a: number, b: number): Promise<number>;
  addSync(a: number, b: number): number;
}

const CALLS = 200_000;
const ROUNDS = 9;
const WARMUP_ROUNDS = 3;

const calculatorRef = serviceRef<Calculator>('bench.calculator');
const direct: Calculator = {
  async add(a, b) {
    return a + b;
  },
  addSync(a, b) {
    return a + b;
  },
};
const registry = new ServiceRegistry({ logger: pino({ level: 'silent' }) });
registry.register(calculatorRef, direct, { owner: 'bench' });
const handle = registry.handle(calculatorRef);

/** Keeps results alive so the calls cannot be optimised away. */
let sink = 0;

// One loop per side, written out twice on purpose: a shared loop would see both the plain
// object and the handle at its call site and go polymorphic, slowing both and hiding the cost.
async function directAsyncRound(): Promise<number> {
  let sum = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) sum += await direct.add(i, 1);
  const elapsed = Number(process.hrtime.bigint() - start);
  sink += sum;
  return elapsed / CALLS;
}

async function handleAsyncRound(): Promise<number> {
  let sum = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) sum += await handle.add(i, 1);
  const elapsed = Number(process.hrtime.bigint() - start);
  sink += sum;
  return elapsed / CALLS;
}

function directSyncRound(): number {
  let sum = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) sum += direct.addSync(i, 1);
  const elapsed = Number(process.hrtime.bigint() - start);
  sink += sum;
  return elapsed / CALLS;
}

function handleSyncRound(): number {
  let sum = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) sum += handle.addSync(i, 1);
  const elapsed = Number(process.hrtime.bigint() - start);
  sink += sum;
  return elapsed / CALLS;
}


async function main(): Promise<void> {
  for (let i = 0; i < WARMUP_ROUNDS; i++) {
    await directAsyncRound();
    await handleAsyncRound();
    directSyncRound();
    handleSyncRound();
  }
  const samples = { asyncDirect: [] as number[], asyncHandle: [] as number[], syncDirect: [] as number[], syncHandle: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which side goes first, so neither always runs on a warmer or colder heap.
    if (i % 2 === 0) {
      samples.asyncDirect.push(await directAsyncRound());
      samples.asyncHandle.push(await handleAsyncRound());
      samples.syncDirect.push(directSyncRound());
      samples.syncHandle.push(handleSyncRound());
    } else {
      samples.asyncHandle.push(await handleAsyncRound());
      samples.asyncDirect.push(await directAsyncRound());
      samples.syncHandle.push(handleSyncRound());
      samples.syncDirect.push(directSyncRound());
    }
  }

  const directNs = median(samples.asyncDirect);
  const handleNs = median(samples.asyncHandle);
  const rows = [
    { call: 'async add (awaited)', via: 'direct', samples: samples.asyncDirect },
    { call: 'async add (awaited)', via: 'live handle', samples: samples.asyncHandle },
    { call: 'sync addSync', via: 'direct', samples: samples.syncDirect },
    { call: 'sync addSync', via: 'live handle', samples: samples.syncHandle },
  ];
  console.log(`registry: ${ROUNDS} rounds of ${CALLS} calls per side after ${WARMUP_ROUNDS} warm-up rounds`);
  console.table(
    rows.map((r) => ({
      call: r.call,
      via: r.via,
      'median ns/call': round1(median(r.samples)),
      'min ns/call': round1(Math.min(...r.samples)),
      'max ns/call': round1(Math.max(...r.samples)),
    })),
  );
  console.log(`sync ratio (handle/direct): ${round2(median(samples.syncHandle) / median(samples.syncDirect))}`);
  if (sink === 0) console.log('(sink is zero)');
  console.log(
    JSON.stringify({ bench: 'registry', direct_ns: round1(directNs), handle_ns: round1(handleNs), ratio: round2(handleNs / directNs) }),
  );
}

await main();
