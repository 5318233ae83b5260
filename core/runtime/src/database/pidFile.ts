/**
 * PostgreSQL leaves `postmaster.pid` behind when it dies uncleanly. It ignores the file when the
 * PID in it is gone, but refuses to start when that PID now belongs to another process, which is
 * common after a container restart (PIDs are handed out again from 1).
 */
import { readFile, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';

export type PidFileState =
  | { kind: 'none' }
  /** The PID in the file is a PostgreSQL serving this data folder. */
  | { kind: 'held'; pid: number }
  /** The PID in the file is dead, or some other process: the file is a leftover. */
  | { kind: 'stale'; pid: number };

export const PID_FILE = 'postmaster.pid';

/**
 * Tells whether `postmaster.pid` in `dataDir` belongs to a running server.
 *
 * @example
 * const state = await inspectPidFile('/srv/app/.plugboard/postgres');
 * if (state.kind === 'stale') await rm(join(dir, PID_FILE));
 */
export async function inspectPidFile(dataDir: string): Promise<PidFileState> {
  let text: string;
  try {
    text = await readFile(join(dataDir, PID_FILE), 'utf8');
  } catch {
    return { kind: 'none' };
  }
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return { kind: 'stale', pid: 0 };
  if (!isAlive(pid)) return { kind: 'stale', pid };
  return (await servesDataDir(pid, dataDir)) ? { kind: 'held', pid } : { kind: 'stale', pid };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A postmaster changes into its data folder, so its working directory names the folder it
 * serves. Where that cannot be read (another user's process, no /proc), its name has to do,
 * and failing that, any live process counts as the owner: better to refuse than to corrupt.
 */
async function servesDataDir(pid: number, dataDir: string): Promise<boolean> {
  try {
    const cwd = await readlink(`/proc/${pid}/cwd`);
    return cwd === (await realpath(dataDir));
  } catch {
    try {
      const comm = (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
      return comm === 'postgres' || comm === 'postmaster';
    } catch {
      return true;
    }
  }
}
