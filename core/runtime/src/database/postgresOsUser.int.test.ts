import { createHash } from 'node:crypto';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OsIds, placeDataDir, postgresOsUser, prepareDataDir } from './postgresOsUser.js';

// Only root hands folders to the 'postgres' OS user; as anyone else there is nothing to test.
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

let sandbox: string;
let configured: string;
let ids: OsIds;
const hashOf = (dataDir: string): string => createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
const ownerAndMode = async (path: string): Promise<{ uid: number; gid: number; mode: number }> => {
  const info = await lstat(path);
  return { uid: info.uid, gid: info.gid, mode: info.mode & 0o7777 };
};
const refusal = (root: string, problem: string): string =>
  `Embedded PostgreSQL runs as the OS user 'postgres', which cannot reach '${configured}', so its data would go under '${root}'; but ${problem}, so another user could make root hand any folder to 'postgres'. Remove '${root}' (Plugboard then creates it again, owned by root), or set database.embedded.dataDir to a folder the postgres user can reach.`;

beforeEach(async () => {
  if (!asRoot) return;
  ids = (await postgresOsUser())!;
  sandbox = await mkdtemp(join(tmpdir(), 'plugboard-placement-'));
  await chmod(sandbox, 0o755);
  // A project in a folder closed to everyone else, like root's home.
  await mkdir(join(sandbox, 'home', 'app'), { recursive: true });
  await chmod(join(sandbox, 'home'), 0o700);
  configured = join(sandbox, 'home', 'app', '.plugboard', 'pgdata');
});
afterEach(async () => {
  if (asRoot) await rm(sandbox, { recursive: true, force: true });
});

describe.skipIf(!asRoot)('where root puts data the postgres user cannot reach', () => {
  it('creates a missing fallback root owned by root, mode 0711, and hands only the data folder to postgres', async () => {
    const root = join(sandbox, 'plugboard-pgdata');
    const placed = await placeDataDir(configured, ids, root);
    expect(placed).toBe(join(root, hashOf(configured)));
    expect(await ownerAndMode(root)).toEqual({ uid: 0, gid: 0, mode: 0o711 });
    await prepareDataDir(placed, ids);
    expect(await ownerAndMode(placed)).toEqual({ uid: ids.uid, gid: ids.gid, mode: 0o700 });
  });

  it('refuses a fallback root owned by another user and changes nothing in it', async () => {
    const root = join(sandbox, 'plugboard-pgdata');
    await mkdir(root, { mode: 0o755 });
    await chown(root, NOBODY, NOBODY);
    await writeFile(join(root, 'theirs'), 'x');
    await chown(join(root, 'theirs'), NOBODY, NOBODY);

    await expect(placeDataDir(configured, ids, root)).rejects.toThrow(refusal(root, `'${root}' is owned by uid ${NOBODY}, not by root`));
    expect(await ownerAndMode(root)).toEqual({ uid: NOBODY, gid: NOBODY, mode: 0o755 });
    expect(await ownerAndMode(join(root, 'theirs'))).toMatchObject({ uid: NOBODY, gid: NOBODY });
    expect(await readdir(root)).toEqual(['theirs']);
  });

  it('refuses a fallback root that group or others can write to', async () => {
    const root = join(sandbox, 'plugboard-pgdata');
    await mkdir(root);
    await chmod(root, 0o777);
    await expect(placeDataDir(configured, ids, root)).rejects.toThrow(refusal(root, `'${root}' can be written to by group or others (mode 0777)`));
    expect(await ownerAndMode(root)).toEqual({ uid: 0, gid: 0, mode: 0o777 });
  });

  it('refuses a fallback root that is a symbolic link and leaves what it points at alone', async () => {
    const target = join(sandbox, 'elsewhere');
    await mkdir(target, { mode: 0o755 });
    const root = join(sandbox, 'plugboard-pgdata');
    await symlink(target, root);
    await expect(placeDataDir(configured, ids, root)).rejects.toThrow(refusal(root, `'${root}' is a symbolic link`));
    expect(await ownerAndMode(target)).toEqual({ uid: 0, gid: 0, mode: 0o755 });
  });

  it('refuses a fallback root whose parent another user owns', async () => {
    const parent = join(sandbox, 'theirs');
    await mkdir(parent, { mode: 0o755 });
    await chown(parent, NOBODY, NOBODY);
    const root = join(parent, 'plugboard-pgdata');
    await mkdir(root, { mode: 0o711 });
    await expect(placeDataDir(configured, ids, root)).rejects.toThrow(refusal(root, `its parent folder '${parent}' is owned by uid ${NOBODY}, not by root`));
  });

  it('refuses a data folder that is a symbolic link at the hashed name and leaves what it points at alone', async () => {
    // As a root folder made before this check, or by root by mistake, could hold.
    const root = join(sandbox, 'plugboard-pgdata');
    await mkdir(root, { mode: 0o711 });
    const placed = join(root, hashOf(configured));
    const target = join(sandbox, 'precious');
    await mkdir(target, { mode: 0o755 });
    await writeFile(join(target, 'file'), 'x', { mode: 0o644 });
    await symlink(target, placed);

    await expect(prepareDataDir(placed, ids)).rejects.toThrow(
      `The embedded PostgreSQL data folder '${placed}' is a symbolic link; run as root, Plugboard hands that folder to the OS user 'postgres' and does not follow links to do it. Remove the link, or set database.embedded.dataDir to a real folder (not a link) that the postgres user can reach.`,
    );
    expect(await ownerAndMode(target)).toEqual({ uid: 0, gid: 0, mode: 0o755 });
    expect(await ownerAndMode(join(target, 'file'))).toEqual({ uid: 0, gid: 0, mode: 0o644 });
  });

  it('hands a root-owned data folder to postgres without following the links inside it', async () => {
    const dataDir = join(sandbox, 'pgdata');
    await mkdir(join(dataDir, 'base'), { recursive: true });
    const target = join(sandbox, 'precious');
    await mkdir(target, { mode: 0o755 });
    await writeFile(join(target, 'file'), 'x', { mode: 0o644 });
    await symlink(target, join(dataDir, 'link'));

    await prepareDataDir(dataDir, ids);
    expect(await ownerAndMode(target)).toEqual({ uid: 0, gid: 0, mode: 0o755 });
    expect(await ownerAndMode(join(target, 'file'))).toEqual({ uid: 0, gid: 0, mode: 0o644 });
    expect(await ownerAndMode(dataDir)).toEqual({ uid: ids.uid, gid: ids.gid, mode: 0o700 });
    expect(await ownerAndMode(join(dataDir, 'base'))).toMatchObject({ uid: ids.uid, gid: ids.gid });
    expect(await ownerAndMode(join(dataDir, 'link'))).toMatchObject({ uid: ids.uid, gid: ids.gid });
  });
});
