import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { seedDatabase } from '../../src/domain/seed/seed.js';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { backends, createTestDatabase, type TestDatabase } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import { startClinic, until, type Running } from '../support/spawn.js';
import { STACK_FRAME } from './helpers.js';

/**
 * The built binary told to stop: SIGTERM during an import from an endless stdin and during a big
 * `db seed` ends the process promptly with exit 130 and nothing written; a reader that closes
 * stdout early (`| head -1`) ends export and list quietly with exit 0.
 */
const PROMPTLY_MS = 5_000;

/** stdin stays open (the endless import writes to it); nothing here may take more than minutes. */
function start(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  return startClinic(args, { env, input: 'open', timeoutMs: 600_000 });
}

/** Sends SIGTERM and waits for the exit, killing the process outright if it does not end in time. */
async function terminate({ child, done }: Running): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const { code, stderr } = await done;
  clearTimeout(killer);
  return { code, stderr, ms: Date.now() - started };
}

for (const backend of backends) {
  describe(`interrupts and a closed stdout [${backend}]`, () => {
    let db: TestDatabase;
    let token: string;
    let doctor: MadeUser;
    let patient: MadeUser;
    const figures: Record<string, number> = {};
    const targetArgs = () => (db.target.backend === 'postgres' ? ['--database-url', db.target.url] : ['--data-dir', db.target.dataDir]);
    const count = async (pattern: string) => Number((await db.knex('appointments').whereLike('external_id', pattern).count<{ n: string }[]>({ n: '*' }))[0]!.n);
    /** The embedded directory is the child's while it runs. */
    const whileClosed = async <T>(work: () => Promise<T>): Promise<T> => {
      if (backend === 'embedded') await db.close();
      try {
        return await work();
      } finally {
        if (backend === 'embedded') db = await db.reopen();
      }
    };

    beforeAll(async () => {
      db = await createTestDatabase(backend);
      await storeInitialTimeZone(db.knex, 'UTC');
      const staff = await makeStaff(db.knex);
      token = (await createApiToken(db.context(staff), { name: 'interrupts' })).token;
      doctor = await makeDoctor(db.knex, { username: 'int.dr' });
      patient = await makePatient(db.knex, { username: 'int.pat', doctors: [doctor] });
    });
    afterAll(async () => {
      console.info(`[interrupts ${backend}] ${JSON.stringify(figures)}`);
      await db?.drop();
    });

    it('SIGTERM during `appointments import -` from an endless stdin: exit 130 within seconds, nothing imported', async () => {
      await whileClosed(async () => {
        const run = start(['appointments', 'import', '-', ...targetArgs()], { CLINIC_TOKEN: token });
        let accepted = 0;
        let writing = true;
        let k = 0;
        const stdin = run.child.stdin!;
        void (async () => {
          stdin.write('patient,doctor,date,time,reason,durationMinutes,status,externalId\n');
          while (writing && !stdin.destroyed) {
            let chunk = '';
            for (let i = 0; i < 500; i++, k++) chunk += `${patient.username},${doctor.username},2030-01-07,09:00,endless,,,endless-${k}\n`;
            const flushed = new Promise<void>((resolve) => stdin.write(chunk, () => resolve()));
            await flushed;
            accepted += chunk.length;
          }
        })();
        // well past the pipe's buffer: the import is reading rows
        await until(() => accepted > 4_000_000, 120_000);
        const result = await terminate(run);
        writing = false;
        figures.importBytesRead = accepted;
        figures.importExitMs = result.ms;
        expect(result.code, result.stderr).toBe(130);
        expect(result.ms).toBeLessThan(PROMPTLY_MS);
        expect(result.stderr).toMatch(/Interrupted\./);
        expect(result.stderr).not.toMatch(STACK_FRAME);
      });
      expect(await count('endless-%')).toBe(0);
    });

    it('SIGTERM during a big `db seed`: exit 130 within seconds, no appointments written', async () => {
      await whileClosed(async () => {
        const run = start(['db', 'seed', '--seed', '9', '--doctors', '20', '--patients', '200', '--appointments', '5000000', ...targetArgs()]);
        if (backend === 'postgres') {
          // the people are committed first; then the appointments stream in
          await until(async () => Number((await db.knex('users').whereLike('username', 'pt.%.200').count<{ n: string }[]>({ n: '*' }))[0]!.n) > 0, 60_000);
          await new Promise((resolve) => setTimeout(resolve, 1_500));
        } else {
          await new Promise((resolve) => setTimeout(resolve, 6_000));
        }
        const result = await terminate(run);
        figures.seedExitMs = result.ms;
        expect(result.code, result.stderr).toBe(130);
        expect(result.ms).toBeLessThan(PROMPTLY_MS);
        expect(result.stderr).not.toMatch(STACK_FRAME);
      });
      expect(await count('seed-9-%')).toBe(0);
    });

    it('a reader that closes stdout early (| head -1): export and list end quietly with exit 0', async () => {
      await seedDatabase(db.context(), { seed: 5, doctors: 5, patients: 50, appointments: 3_000, demo: false, force: false, environment: undefined });
      for (const args of [
        ['appointments', 'export'],
        ['appointments', 'export', '--format', 'ndjson'],
        ['appointments', 'export', '--json'],
        ['appointments', 'list', '--limit', '5000'],
        ['appointments', 'list', '--limit', '5000', '--json'],
      ]) {
        const result = await whileClosed(async () => {
          const run = start([...args, ...targetArgs()], { CLINIC_TOKEN: token });
          let first = '';
          run.child.stdout!.once('data', (chunk: Buffer) => {
            first = chunk.toString('utf8').split('\n')[0]!;
            run.child.stdout!.destroy();
          });
          const killer = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
          const exit = await run.done;
          clearTimeout(killer);
          return { ...exit, first };
        });
        expect(result.first, args.join(' ')).not.toBe('');
        expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
      }
    });
  });
}
