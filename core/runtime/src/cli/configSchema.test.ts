import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { configSchema } from './inspectCommands.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

test('config/schema.json matches the zod schemas of core and the default plugins', async () => {
  const fresh = `${JSON.stringify(await configSchema(`${root}config/plugboard.yaml`), null, 2)}\n`;
  const committed = await readFile(`${root}config/schema.json`, 'utf8');
  // When this fails, regenerate: npx plugboard config schema -o config/schema.json
  expect(committed).toBe(fresh);
});

test('the schema lets a number key hold a ${NAME:-default} substitution', async () => {
  const schema = (await configSchema(`${root}config/plugboard.yaml`)) as {
    properties: { server: { properties: { port: { anyOf: { type: string; pattern?: string }[] } } } };
  };
  const port = schema.properties.server.properties.port;
  expect(port.anyOf.map((s) => s.type)).toEqual(['integer', 'string']);
  expect(new RegExp(port.anyOf[1]!.pattern!).test('${PLUGBOARD_PORT:-3000}')).toBe(true);
});
