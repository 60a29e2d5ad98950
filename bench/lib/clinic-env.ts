import path from 'node:path';
import { baseEnv, clinicProcess, runChecked, runOnce } from './proc.js';
import type { Resources } from './resources.js';

export const ADMIN_USERNAME = 'benchadmin';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** A user of the CLI with a home of their own: config (sessions) and data under a temp dir. */
export interface ClinicUser {
  env: NodeJS.ProcessEnv;
  home: string;
}

export function clinicUser(resources: Resources, purpose: string, database: { url: string } | { dataDir: string }): ClinicUser {
  const home = resources.tempDir(purpose);
  const env = baseEnv({
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_DATA_HOME: path.join(home, 'data'),
    ...('url' in database ? { CLINIC_DATABASE_URL: database.url } : { CLINIC_DATA_DIR: database.dataDir }),
  });
  return { env, home };
}

/**
 * Why a command cannot be benchmarked in this build (it does not exist yet), or undefined.
 */
export async function missingCommand(user: ClinicUser, words: string[]): Promise<string | undefined> {
  const sample = await runOnce(clinicProcess([...words, '--help'], { env: user.env }));
  // An unknown verb's --help falls back to its parent's help, so check whose help it is.
  const found = sample.code === 0 && sample.stdout.startsWith(`Usage: clinic ${words.join(' ')} `);
  return found ? undefined : `\`clinic ${words.join(' ')}\` is not implemented in this build`;
}

/** `clinic init` with the bench admin: creates/migrates the database and logs this user in. */
export async function initClinic(user: ClinicUser): Promise<void> {
  await runChecked(
    clinicProcess(['init', '--timezone', 'UTC', '--admin-username', ADMIN_USERNAME, '--admin-password-stdin', '--no-input'], {
      env: user.env,
      input: `${ADMIN_PASSWORD}\n`,
    }),
  );
}
