import { PlugboardError } from '@plugboard/plugin-api';

/** Prints an error for a person at a terminal: the sentence, then every listed problem. */
export function printError(err: unknown, out: NodeJS.WritableStream = process.stderr): void {
  if (PlugboardError.is(err)) {
    out.write(`error (${err.kind}): ${err.message}\n`);
    return;
  }
  if (err instanceof AggregateError) {
    out.write(`error: ${err.message}\n`);
    for (const inner of err.errors) out.write(`  - ${inner instanceof Error ? inner.message : String(inner)}\n`);
    return;
  }
  out.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
}

/** Exit code for an error: 2 for bad config or usage, 1 for anything else. */
export function exitCodeOf(err: unknown): number {
  return PlugboardError.is(err, 'configInvalid') || PlugboardError.is(err, 'invalidArgument') ? 2 : 1;
}
