/** The metrics collector API: durations by name, with no instrument to set up. */
export { startTimer, time, timed, type Timer } from './timers.js';
export { COLLECTOR_SCOPE, type TimerAttributes } from './durationHistogram.js';
