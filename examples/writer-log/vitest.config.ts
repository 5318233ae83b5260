export { default } from '@plugboard/core/testing/vitest';
