#!/usr/bin/env node
// Plugboard runs its TypeScript sources directly: tsx compiles them as they load, for core and
// for every plugin, including third-party plugins shipped as .ts.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
