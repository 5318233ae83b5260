/** The sentences {@link DependencyGraph.build} reports; each says what to change in the config. */
import { quoteList } from '@plugboard/plugin-api/internal';

export function missingDependencyProblem(plugin: string, dependency: string, known: boolean): string {
  return known
    ? `Plugin '${plugin}' depends on plugin '${dependency}', which is disabled. Set plugins.${dependency}.enabled: true, or disable '${plugin}'.`
    : `Plugin '${plugin}' depends on plugin '${dependency}', which is not in the config. Add it under plugins.${dependency}, or remove the dependency.`;
}

export function versionProblem(plugin: string, dependency: string, range: string, version: string): string {
  return (
    `Plugin '${plugin}' needs plugin '${dependency}' '${range}', but version ${version} is enabled. ` +
    `Install a version of '${dependency}' in that range, or a version of '${plugin}' that works with ${version}.`
  );
}

/** `candidates`: known (disabled) plugins that provide the ref. */
export function missingProviderProblem(plugin: string, ref: string, candidates: readonly string[]): string {
  const head = `Plugin '${plugin}' consumes service '${ref}', which no enabled plugin provides`;
  if (candidates.length === 0) return `${head}; no known plugin provides it. Add a plugin that provides '${ref}'.`;
  if (candidates.length === 1) {
    const only = candidates[0]!;
    return `${head}. Enable '${only}' (plugins.${only}.enabled: true).`;
  }
  return `${head}. Enable one of ${quoteList(candidates).replace(/ and /, ' or ')} (plugins.<name>.enabled: true).`;
}
