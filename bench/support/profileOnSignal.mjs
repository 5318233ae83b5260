/**
 * Preloaded into a benchmark's server (NODE_OPTIONS="--import <this file>", with BENCH_PROFILE_OUT
 * naming the output file): the first SIGUSR2 starts V8's CPU profiler, the second stops it and
 * writes the profile there as a .cpuprofile (Chrome DevTools and speedscope open it). SIGUSR2 is
 * otherwise unused by the server.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.BENCH_PROFILE_OUT;
if (out !== undefined && out !== '') {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 250 });
  let running = false;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.start');
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, result) => {
      if (err === null) writeFileSync(out, JSON.stringify(result.profile));
      else console.error(`The CPU profile could not be taken: ${err.message}`);
    });
  });
}
