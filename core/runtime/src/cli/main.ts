/**
 * The `plugboard` command line. Built-in subcommands run the server and inspect the config;
 * enabled plugins add their own (`plugboard seed` comes from plugins/conversations).
 */
import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { defaultConfigPath } from '../config/loadConfigText.js';
import { createLogger } from '../host/createLogger.js';
import { CORE_VERSION } from '../version.js';
import { bootKernel, openDatabase } from '../host/bootKernel.js';
import { migrateCommand } from './databaseCommands.js';
import { newPlugin, nextSteps } from './newPlugin.js';
import { configCheckCommand, configSchema, pluginsCommand, readConfig } from './inspectCommands.js';
import { exitCodeOf, printError } from './output.js';
import { startCommand } from './startCommand.js';

const BUILT_IN = new Set(['start', 'plugins', 'config', 'migrate', 'new', 'help']);

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('use a whole number from 0 to 65535.');
  return n;
}

function configOption(cmd: Command): Command {
  return cmd.option('-c, --config <file>', 'config file (default: $PLUGBOARD_CONFIG or config/plugboard.yaml)');
}

function configPath(options: { config?: string }): string {
  return defaultConfigPath(options.config);
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('plugboard')
    .description('Plugboard: a plugin kernel for conversational AI backends.')
    .version(CORE_VERSION)
    .showHelpAfterError();

  configOption(program.command('start').description('run the server with the plugins the config enables'))
    .option('-p, --port <n>', 'port to listen on (overrides server.port)', port)
    .option('-H, --host <address>', 'address to bind (overrides server.host)')
    .action((o: { config?: string; port?: number; host?: string }) =>
      startCommand({ config: configPath(o), ...(o.port !== undefined ? { port: o.port } : {}), ...(o.host ? { host: o.host } : {}) }),
    );

  configOption(program.command('plugins').description('show the plugins in start order and why')).action((o: { config?: string }) =>
    pluginsCommand(configPath(o)),
  );

  const config = program.command('config').description('check the config file or print its JSON schema');
  configOption(config.command('check').description('validate a config file and print every problem')).action(
    (o: { config?: string }) => configCheckCommand(configPath(o)),
  );
  configOption(config.command('schema').description('print the JSON schema of the config file (for editors)'))
    .option('-o, --output <file>', 'write it to a file instead of stdout')
    .action(async (o: { config?: string; output?: string }) => {
      const text = `${JSON.stringify(await configSchema(configPath(o)), null, 2)}\n`;
      if (o.output) await writeFile(o.output, text);
      else process.stdout.write(text);
    });

  configOption(program.command('migrate').description("apply the enabled plugins' database migrations"))
    .option('--dry-run', 'list pending migrations without applying them', false)
    .action(async (o: { config?: string; dryRun: boolean }) => {
      const loaded = await readConfig(configPath(o));
      await migrateCommand(loaded, { dryRun: o.dryRun }, createLogger(loaded.logging.level));
    });

  program
    .command('new')
    .description('create a new package from a template')
    .command('plugin')
    .description('write a plugin package (package.json, tsconfig, source, a test, plugboard.yaml, README) that runs as it is')
    .argument('<name>', "the plugin's name and config key: lower-case words joined by dashes")
    .option('-d, --dir <folder>', 'folder to create (default: ./<name>)')
    .option('--packages <folder>', 'depend on the npm pack tarballs of @plugboard/plugin-api and @plugboard/core in this folder')
    .action(async (name: string, o: { dir?: string; packages?: string }) => {
      const result = await newPlugin({ name, coreVersion: CORE_VERSION, ...(o.dir ? { dir: o.dir } : {}), ...(o.packages ? { packages: o.packages } : {}) });
      process.stdout.write(nextSteps(result, o.packages === undefined));
    });

  const wanted = argv[2];
  if (wanted !== undefined && !wanted.startsWith('-') && !BUILT_IN.has(wanted)) {
    await addPluginCommands(program, argv, wanted);
  } else if (wanted === undefined || wanted === '--help' || wanted === '-h' || wanted === 'help') {
    // Listed in the help too; a config that does not load just leaves them out of it.
    await addPluginCommands(program, argv).catch(() => undefined);
  }
  await program.parseAsync(argv);
}

/** Registers the commands of the enabled plugins with commander: all of them, or only those of group or command `only`. */
async function addPluginCommands(program: Command, argv: string[], only?: string): Promise<void> {
  const at = argv.findIndex((a) => a === '--config' || a === '-c' || a.startsWith('--config='));
  const given = at < 0 ? undefined : argv[at]!.startsWith('--config=') ? argv[at]!.slice('--config='.length) : argv[at + 1];
  const loaded = await readConfig(defaultConfigPath(given));
  const groups = new Map<string, Command>();
  for (const plugin of loaded.plugins.values()) {
    for (const command of plugin.definition.commands ?? []) {
      const [head, sub] = command.name.split(' ') as [string, string | undefined];
      if (!plugin.enabled || (only !== undefined && head !== only)) continue;
      let parent = program;
      if (sub !== undefined) {
        let group = groups.get(head);
        if (group === undefined) {
          group = program.command(head).description(`${head} commands (from plugin '${plugin.name}')`);
          groups.set(head, group);
        }
        parent = group;
      }
      const cmd = configOption(parent.command(sub ?? head).description(`${command.description} (from plugin '${plugin.name}')`));
      for (const a of command.arguments ?? []) cmd.argument(a.optional ? `[${a.name}]` : `<${a.name}>`, a.description);
      for (const o of command.options ?? []) cmd.option(o.flags, o.description, o.default);
      cmd.action(async (...received: unknown[]) => {
        // commander passes the positional arguments first, then the options and the command.
        const args = received.slice(0, command.arguments?.length ?? 0).filter((a): a is string => typeof a === 'string');
        const options = cmd.opts<Record<string, string | boolean | undefined>>();
        const logger = createLogger(loaded.logging.level);
        const database = await openDatabase(loaded, logger, { forCommand: true });
        try {
          await bootKernel({ config: loaded, database, logger }).migrate();
          await command.run(options, { config: plugin.config, logger, database, args, out: process.stdout });
        } finally {
          await database.close();
        }
      });
    }
  }
}

main(process.argv).catch((err: unknown) => {
  printError(err);
  process.exit(exitCodeOf(err));
});
