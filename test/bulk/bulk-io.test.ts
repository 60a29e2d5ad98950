import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { importAppointments } from '../../src/domain/appointments/import.js';
import { InterruptedError } from '../../src/domain/errors.js';
import type { Actor } from '../../src/domain/policy.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff, uniqueName, type MadeUser } from '../support/factories.js';

// Friday 1 January 2027, noon UTC; Monday 4 January is a working day in the future.
const NOW = new Date('2027-01-01T12:00:00Z');
const now = () => NOW;
const HEADER = 'patient,doctor,date,time,reason,durationMinutes,status,externalId';
const STACK_FRAME = /\n\s+at /;

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-bulk-io-'));
});
afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describeBackends('bulk input and output', (db) => {
  let staff: Actor;
  let doctor: MadeUser;
  let patient: MadeUser;
  const count = async () => Number((await db().knex('appointments').where({ doctor_id: doctor.id }).count({ n: '*' }))[0]!.n);
  const cli = (args: string[], stdin?: string) => runCli(args, { database: db().database, actor: staff, now, ...(stdin !== undefined ? { stdin } : {}) });
  const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;
  const row = (time: string, ext: string, who = patient.username) => `${who},${doctor.username},2027-01-04,${time},,,,${ext}`;
  const file = async (name: string, content: string) => {
    const at = path.join(tmp, `${uniqueName('f')}-${name}`);
    await fs.writeFile(at, content);
    return at;
  };

  beforeAll(async () => {
    staff = await makeStaff(db().knex);
    await upsertSetting(db().knex, 'timezone', 'UTC', null);
    doctor = await makeDoctor(db().knex, { username: uniqueName('dr') });
    patient = await makePatient(db().knex, { username: uniqueName('pt') });
  });
  beforeEach(async () => {
    await db().knex('appointments').where({ doctor_id: doctor.id }).delete();
  });

  it('refuses --rejects naming the input itself, by the same path, another path or a link (exit 2), and leaves the input whole', async () => {
    const input = await file('in.csv', csv(row('09:00', uniqueName('x')), `nobody.here,${doctor.username},2027-01-04,09:30,,,,${uniqueName('x')}`));
    const before = await fs.readFile(input, 'utf8');
    const link = path.join(tmp, `${uniqueName('link')}.csv`);
    await fs.symlink(input, link);
    const roundabout = `${tmp}/../${path.basename(tmp)}/./${path.basename(input)}`;
    for (const [source, rejects] of [
      [input, input],
      [input, link],
      [link, input],
      [input, roundabout],
    ] as const) {
      const result = await cli(['appointments', 'import', source, '--skip-invalid', '--rejects', rejects]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/--rejects .* is the input file itself/);
      expect(await fs.readFile(input, 'utf8')).toBe(before);
    }
    expect(await count()).toBe(0);
  });

  it('refuses --rejects in a missing directory or naming a directory: exit 3 with a message, no stack', async () => {
    const input = await file('in.csv', csv(row('10:00', uniqueName('x'))));
    for (const [rejects, message] of [
      [path.join(tmp, 'no-such-dir', 'rejects.csv'), /the directory .*no-such-dir does not exist/],
      [tmp, /it is a directory/],
    ] as const) {
      const result = await cli(['appointments', 'import', input, '--skip-invalid', '--rejects', rejects]);
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
    expect(await count()).toBe(0);
  });

  it('writes the rejects file privately and in one piece: a failed import leaves the earlier rejects file as it was', async () => {
    const rejects = path.join(tmp, `${uniqueName('rejects')}.csv`);
    const good = await file('good.csv', csv(row('11:00', uniqueName('x')), `nobody.here,${doctor.username},2027-01-04,11:30,,,,${uniqueName('x')}`));
    const first = await cli(['appointments', 'import', good, '--skip-invalid', '--rejects', rejects, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toEqual({ imported: 1, skipped: 0, rejected: 1 });
    const earlier = await fs.readFile(rejects, 'utf8');
    expect(earlier).toMatch(/nobody\.here/);
    expect((await fs.stat(rejects)).mode & 0o777).toBe(0o600);

    // a row too long to read past fails the whole file, even with --skip-invalid
    const broken = await file('broken.csv', csv(`${patient.username},${doctor.username},2027-01-04,12:00,"${'x'.repeat(1_100_000)}",,,`));
    const failed = await cli(['appointments', 'import', broken, '--skip-invalid', '--rejects', rejects]);
    expect(failed.code, failed.stderr).toBe(3);
    expect(await fs.readFile(rejects, 'utf8')).toBe(earlier);
    expect((await fs.readdir(tmp)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('reads FILE from a pipe (a FIFO, as <(...) gives), and refuses a directory with exit 3', async () => {
    const fifo = path.join(tmp, `${uniqueName('fifo')}.csv`);
    execFileSync('mkfifo', [fifo]);
    const writer = fs.writeFile(fifo, csv(row('13:00', uniqueName('x'))));
    const result = await cli(['appointments', 'import', fifo, '--json']);
    await writer;
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toEqual({ imported: 1, skipped: 0, rejected: 0 });

    const directory = await cli(['appointments', 'import', tmp]);
    expect(directory.code).toBe(3);
    expect(directory.stderr).toMatch(/is a directory/);
  });

  it('NDJSON: every field is a string (durationMinutes also a number); an array, boolean or number elsewhere is exit 3 for that line', async () => {
    const line = (fields: Record<string, unknown>) => JSON.stringify({ patient: patient.username, doctor: doctor.username, date: '2027-01-05', ...fields });
    const bad = [
      line({ patient: [patient.username], time: '09:00', externalId: uniqueName('n') }),
      line({ time: '09:30', reason: true }),
      line({ time: '10:00', externalId: 12345 }),
      line({ time: '10:30', durationMinutes: [30] }),
    ];
    const refused = await cli(['appointments', 'import', '-', '--format', 'ndjson', '--json'], `${bad.join('\n')}\n`);
    expect(refused.code).toBe(3);
    const rows = JSON.parse(refused.stderr).error.rows as Array<{ line: number; error: string }>;
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 4]);
    expect(rows[0]!.error).toMatch(/field "patient" must be a string, not an array/);
    expect(rows[1]!.error).toMatch(/field "reason" must be a string, not a boolean/);
    expect(rows[2]!.error).toMatch(/field "externalId" must be a string, not a number/);
    expect(rows[3]!.error).toMatch(/field "durationMinutes" must be a number or a string/);
    expect(await count()).toBe(0);

    const good = [line({ time: '11:00', durationMinutes: 60, externalId: uniqueName('n') }), line({ time: '12:00', durationMinutes: '30', reason: null })];
    const accepted = await cli(['appointments', 'import', '-', '--json'], `${good.join('\n')}\n`);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.json()).toEqual({ imported: 2, skipped: 0, rejected: 0 });
  });

  it('export --json writes one JSON value (the NDJSON objects in an array); --json with --format csv or ndjson is exit 2', async () => {
    await cli(['appointments', 'import', '-'], csv(row('14:00', uniqueName('e')), row('14:30', uniqueName('e'))));
    const exported = await cli(['appointments', 'export', '--doctor', doctor.username, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const value = exported.json<Array<Record<string, unknown>>>();
    expect(value.map((a) => a.time)).toEqual(['14:00', '14:30']);
    expect(value[0]).toMatchObject({ patient: patient.username, doctor: doctor.username, durationMinutes: 30 });
    const empty = await cli(['appointments', 'export', '--doctor', doctor.username, '--status', 'COMPLETED', '--json']);
    expect(empty.json()).toEqual([]);
    const fhir = await cli(['appointments', 'export', '--doctor', doctor.username, '--format', 'fhir', '--json']);
    expect(fhir.json<{ resourceType: string }>().resourceType).toBe('Bundle');
    for (const format of ['csv', 'ndjson']) {
      const refused = await cli(['appointments', 'export', '--format', format, '--json']);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
    }
  });

  it('an interrupted import stops reading at once, even from an endless or idle input, and writes nothing', async () => {
    const controller = new AbortController();
    let k = 0;
    const endless = new Readable({
      read() {
        // ends after a while, so that a regression fails instead of reading for ever
        if (k > 200_000) return void this.push(null);
        const minute = 9 * 60 + (k % 16) * 30;
        this.push(
          k === 0
            ? `${HEADER}\n`
            : `${patient.username},${doctor.username},2027-02-${String(1 + (k % 28)).padStart(2, '0')},${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')},,,,i${k}\n`,
        );
        k++;
      },
    });
    const ctx = { ...db().context(staff, now), signal: controller.signal };
    const endlessImport = importAppointments(ctx, { source: endless, onProgress: (rows) => rows >= 3_000 && controller.abort() });
    await expect(endlessImport).rejects.toBeInstanceOf(InterruptedError);
    expect(endless.destroyed).toBe(true);

    const idleController = new AbortController();
    const idle = new Readable({ read() {} });
    idle.push(`${HEADER}\n${row('15:00', uniqueName('i'))}\n`);
    const idleImport = importAppointments({ ...db().context(staff, now), signal: idleController.signal }, { source: idle });
    setTimeout(() => idleController.abort(), 200);
    await expect(idleImport).rejects.toBeInstanceOf(InterruptedError);
    expect(await count()).toBe(0);
  });
});
