/**
 * The `core.runtime` service: what a plugin may know about the process it runs in, and nothing
 * it could change it with. Built from the kernel as Backstage's instance-metadata service is
 * built from the backend (`{ getInstalledPlugins: () => ... }`), so a plugin holding it cannot
 * reach `enable`, `disable`, `reload` or the registry behind it.
 */
import { PlugboardError } from '@plugboard/plugin-api';
import type { RuntimeInfo } from '@plugboard/plugin-api';

const OFFERED = 'plugins(), services(), tasks() and onServiceEvent(listener)';
const OPERATOR =
  "Enabling, disabling and reloading plugins is the operator's: through the admin API (POST /admin/plugins/<name>/enable, POST /admin/plugins/<name>/disable, POST /admin/config/reload) or by editing the config file.";

/** Members that code probing any object reads (`await`, JSON, printing); they read as absent. */
const PROBED = new Set<PropertyKey>(['then', 'toJSON', 'constructor', 'valueOf']);

function noMember(property: string): PlugboardError {
  return new PlugboardError(
    'invalidArgument',
    `Service 'core.runtime' is a read-only view and has no member '${property}'; it offers ${OFFERED}. ${OPERATOR}`,
    { details: { refId: 'core.runtime', member: property } },
  );
}

function readOnly(property: PropertyKey): PlugboardError {
  return new PlugboardError(
    'invalidArgument',
    `Service 'core.runtime' is a read-only view, so '${String(property)}' cannot be set or removed on it; it offers ${OFFERED}. ${OPERATOR}`,
    { details: { refId: 'core.runtime', member: String(property) } },
  );
}

/**
 * Makes the read-only view of `source` that core registers as `core.runtime`. It has exactly
 * the four members of {@link RuntimeInfo}; reading any other member (`disable`, `reload`,
 * `registry`, ...) throws an `invalidArgument` PlugboardError that says what the view offers and
 * that changes are the operator's, and it cannot be written to. `then`, `toJSON`, `constructor`,
 * `valueOf` and symbols read as absent, so awaiting, serializing or printing it does not throw.
 *
 * @example
 * registry.register(coreServices.runtime, createRuntimeView(kernel), { owner: 'core' });
 * const runtime = ctx.get(coreServices.runtime);
 * runtime.plugins().filter((p) => p.state === 'failed');
 * runtime.disable('batching'); // throws: "Service 'core.runtime' is a read-only view and has no member 'disable'; ..."
 */
export function createRuntimeView(source: RuntimeInfo): RuntimeInfo {
  const members: RuntimeInfo & { toString(): string } = Object.freeze({
    plugins: () => source.plugins(),
    services: () => source.services(),
    tasks: () => source.tasks(),
    onServiceEvent: (listener: Parameters<RuntimeInfo['onServiceEvent']>[0]) => source.onServiceEvent(listener),
    toString: () => '[core.runtime: read-only view of plugins, services, tasks and registry events]',
  });
  const own = new Set<PropertyKey>(Object.keys(members));
  return new Proxy(members, {
    get(target, property) {
      if (own.has(property)) return target[property as keyof typeof members];
      if (typeof property === 'symbol' || PROBED.has(property)) return undefined;
      throw noMember(property);
    },
    has: (_target, property) => own.has(property),
    set: (_target, property) => {
      throw readOnly(property);
    },
    defineProperty: (_target, property) => {
      throw readOnly(property);
    },
    deleteProperty: (_target, property) => {
      throw readOnly(property);
    },
    setPrototypeOf: () => {
      throw readOnly('prototype');
    },
  });
}
