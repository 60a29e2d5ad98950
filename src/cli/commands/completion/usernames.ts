import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { targetKey } from '../../../db/target.js';
import type { CliContext } from '../../context.js';

/**
 * Usernames for the completion of `--doctor` and `--patient`, as the logged-in user was shown them
 * (the domain's list rules: a doctor sees their panel, a patient themselves). One cache file per
 * credential and database in `${XDG_CACHE_HOME:-~/.cache}/clinic/completion/` (0600 in 0700), named
 * by a hash of both: another login, another token or another database never reads it. Within
 * CACHE_MINUTES a TAB reads the file and nothing else; after that, one query refreshes it.
 */
export const CACHE_MINUTES = 10;
/** More names than a shell would list; a clinic with more patients gets the first ones by name. */
const MOST_NAMES = 10_000;

export type UsernameKind = 'doctors' | 'patients';
interface Cached {
  writtenAt: string;
  doctors: string[];
  patients: string[];
}

export async function completionUsernames(ctx: CliContext, kind: UsernameKind): Promise<string[]> {
  const file = await cacheFile(ctx);
  if (!file) return []; // not logged in: nothing to offer, and no database to wake
  const cached = await readCache(file);
  if (cached && ctx.now().getTime() - Date.parse(cached.writtenAt) < CACHE_MINUTES * 60_000) return cached[kind];
  const domain = await ctx.domain();
  const [{ listDoctors }, { listPatients }] = await Promise.all([import('../../../domain/doctors/service.js'), import('../../../domain/patients/service.js')]);
  const fresh: Cached = {
    writtenAt: ctx.now().toISOString(),
    doctors: (await listDoctors(domain)).map((doctor) => doctor.username),
    patients: (await listPatients(domain, { limit: MOST_NAMES })).items.map((patient) => patient.username),
  };
  await writeCache(file, fresh);
  return fresh[kind];
}

/** The cache of this credential (CLINIC_TOKEN, else this terminal's session) on this database. */
async function cacheFile(ctx: CliContext): Promise<string | undefined> {
  const target = await ctx.target();
  let credential = ctx.env.CLINIC_TOKEN?.trim();
  if (!credential) {
    const { readSession } = await import('../../session-store.js');
    credential = (await readSession(ctx.env, target, await ctx.terminal()))?.token;
  }
  if (!credential) return undefined;
  const name = createHash('sha256')
    .update(`${targetKey(target)}\0${credential}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
  const base = ctx.env.XDG_CACHE_HOME ? ctx.env.XDG_CACHE_HOME : path.join(ctx.env.HOME || os.homedir(), '.cache');
  return path.join(base, 'clinic', 'completion', `${name}.json`);
}

async function readCache(file: string): Promise<Cached | undefined> {
  try {
    const stat = await fs.lstat(file);
    // Only a file of ours that nobody else could have written or read.
    if (!stat.isFile() || stat.uid !== process.getuid?.() || (stat.mode & 0o077) !== 0) return undefined;
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Cached>;
    const names = (value: unknown) => Array.isArray(value) && value.every((name) => typeof name === 'string');
    if (typeof parsed.writtenAt !== 'string' || !names(parsed.doctors) || !names(parsed.patients)) return undefined;
    return parsed as Cached;
  } catch {
    return undefined;
  }
}

/** Atomically, 0600 in 0700 directories. */
async function writeCache(file: string, content: Cached): Promise<void> {
  const directory = path.dirname(file);
  await fs.mkdir(directory, { recursive: true, mode: 0o700 });
  await fs.chmod(path.dirname(directory), 0o700);
  await fs.chmod(directory, 0o700);
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(content)}\n`, { mode: 0o600, flag: 'wx' });
  await fs.rename(temporary, file).catch(async (error: unknown) => {
    await fs.rm(temporary, { force: true });
    throw error;
  });
}
