/**
 * The `core.runtime` service: what a plugin may know about the process it runs in, and nothing
 * it could change it with. Built from the kernel as Backstage's instance-metadata service is
 * built from the backend (`{ getInstalledPlugins: () => ... }`), so a plugin holding it cannot
 * reach `enable`, `disable`, `reload` or the registry behind it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { PlugboardError } from '@plugboard/plugin-api';
import type { RuntimeInfo } from '@plugboard/plugin-api';
import { FailureWindow } from '../http/failureWindow.js';

const OFFERED = 'plugins(), services(), tasks(), onServiceEvent(listener), server() and authorizeAdmin(header)';
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
 * the six members of {@link RuntimeInfo}; reading any other member (`disable`, `reload`,
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
export function createRuntimeView(source: RuntimeSource, access: ServerAccess = createServerAccess({})): RuntimeInfo {
  const members: RuntimeInfo & { toString(): string } = Object.freeze({
    plugins: () => source.plugins(),
    services: () => source.services(),
    tasks: () => source.tasks(),
    onServiceEvent: (listener: Parameters<RuntimeInfo['onServiceEvent']>[0]) => source.onServiceEvent(listener),
    server: () => access.server(),
    authorizeAdmin: (authorization: string | undefined, clientAddress?: string) => access.authorizeAdmin(authorization, clientAddress),
    toString: () => '[core.runtime: read-only view of plugins, services, tasks, registry events and the server address]',
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

/** What the view reads from the kernel. */
export type RuntimeSource = Pick<RuntimeInfo, 'plugins' | 'services' | 'tasks' | 'onServiceEvent'>;

/** The server half of the view: where it listens and the admin token check. */
export type ServerAccess = Pick<RuntimeInfo, 'server' | 'authorizeAdmin'>;

export interface ServerAccessOptions {
  /** The admin token (`server.adminToken`); unset or empty means the admin API is off. */
  token?: string | undefined;
  /** Where the server listens; default 127.0.0.1:0. Read at each call, so it can follow the bound port. */
  address?: () => { host: string; port: number };
  /** `server.adminMaxFailures`; default 10. */
  maxFailures?: number;
  /** `server.adminFailureWindow` in ms; default 5 minutes. */
  failureWindowMs?: number;
  now?: () => number;
}

/** Equal-length digests, so comparing them takes the same time whatever the token's length or content (as adminAuth). */
function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * The server facts and the admin token check of `core.runtime`: the same bearer syntax and
 * constant-time comparison as the admin API, and the same kind of failure throttle per client
 * address (its own window, not shared with the admin routes'). Only a wrong token counts as a
 * failure; a request that offers none is answered 'missing' and not counted.
 *
 * @example
 * const access = createServerAccess({ token: config.server.adminToken, address: () => ({ host, port }) });
 * access.authorizeAdmin('Bearer s3cret-s3cret-s3cret'); // 'ok' or 'wrong'
 */
export function createServerAccess(options: ServerAccessOptions): ServerAccess {
  const token = options.token === '' ? undefined : options.token;
  const expected = token === undefined ? undefined : digest(token);
  const address = options.address ?? (() => ({ host: '127.0.0.1', port: 0 }));
  const failures = new FailureWindow({
    maxFailures: options.maxFailures ?? 10,
    windowMs: options.failureWindowMs ?? 300_000,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return {
    server: () => ({ ...address(), adminEnabled: expected !== undefined }),
    authorizeAdmin: (authorization, clientAddress = 'unknown') => {
      if (expected === undefined) return 'off';
      const given = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
      // No token offered is no guess: a page load cannot carry a bearer header, and counting
      // those would lock out every user behind one address after a few reloads.
      if (given === undefined) return 'missing';
      if (failures.blockedForMs(clientAddress) > 0) return 'throttled';
      if (!timingSafeEqual(digest(given), expected)) {
        failures.fail(clientAddress);
        return 'wrong';
      }
      failures.succeed(clientAddress);
      return 'ok';
    },
  };
}
