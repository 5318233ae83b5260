import { configProblemsError } from '../config/problems.js';
import type { LoadedConfig } from './loadConfig.js';

/**
 * Refuses a reloaded config that would stop plugins without saying so. A truncated file, a
 * comment left alone or an editor's half-written save all parse as valid configs that enable
 * nothing; applied, they would leave the server answering 404 to everything. Stopping a plugin
 * through the file takes `plugins.<name>.enabled: false`, which no accident writes.
 *
 * The same holds for core's own sections: a file that drops `server:` or `database:` would move
 * every key of it back to its default (another port, no admin token, the embedded database), so
 * it must say `server: {}` to mean that.
 *
 * @throws PlugboardError `configInvalid` listing each plugin or core section that went missing,
 *   and a file that enables no plugin without any `enabled: false`
 *
 * @example
 * assertReloadSafe(kernel.config, await loadConfig({ path, coreVersion }), new Set(['conversations']));
 */
export function assertReloadSafe(current: LoadedConfig, next: LoadedConfig, running: ReadonlySet<string>): void {
  const problems: string[] = [];
  for (const section of current.sections ?? []) {
    if (next.sections?.includes(section) === true) continue;
    problems.push(
      `${section}: the running config's '${section}' section is missing from the file, so its settings would go back to their defaults. Put the section back, or write '${section}: {}' to mean the defaults.`,
    );
  }
  const sections = new Set([...next.plugins.keys(), ...next.unresolved]);
  for (const name of current.plugins.keys()) {
    if (!running.has(name) || sections.has(name)) continue;
    problems.push(
      `plugins.${name}: the section of running plugin '${name}' is missing, so applying the file would stop it. Put the section back, or set plugins.${name}.enabled: false to stop it.`,
    );
  }
  // A file whose sections all say `enabled: false` means it; one without any section may not.
  if (sections.size === 0) {
    problems.push(
      `plugins: the file enables no plugin, so the server would serve no request. An empty, truncated or half-saved file looks like this; if no plugin should run, say so with plugins.<name>.enabled: false.`,
    );
  }
  if (problems.length > 0) throw configProblemsError(next.path, problems, 'was not applied, and the running config is kept');
}
