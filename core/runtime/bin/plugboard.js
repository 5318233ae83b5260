#!/usr/bin/env node
// Plugboard runs its TypeScript sources directly: tsx compiles them as they load, for core and
// for every plugin, including third-party plugins shipped as .ts. Core's tsconfig is named
// explicitly so decorators compile whatever folder the command runs from.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.runtime.json', import.meta.url)) });
await import('../src/cli/main.ts');
