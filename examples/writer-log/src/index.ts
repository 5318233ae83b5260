/** plugboard-example-writer-log: a decorator of `conversations.writer` that logs stored ids to a file. */
export { default } from './plugin.js';
