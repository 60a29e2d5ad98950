import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, expect, inject, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff, uniqueName } from '../support/factories.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(inject('testRoot'), 'clinic-people-')); // the run's root, which the teardown removes
});

async function writeFile(name: string, content: string): Promise<string> {
  const file = path.join(tmp, `${uniqueName('f')}-${name}`);
  await fs.writeFile(file, content);
  return file;
}

describeBackends('doctors import and patients import', (db) => {
  let staff: Actor;
  const cli = (args: string[], actor: Actor | null = staff, stdin?: string) =>
    runCli(args, { database: db().database, actor, ...(stdin !== undefined ? { stdin } : {}) });
  const usersNamed = async (usernames: string[]) => db().knex('users').whereIn('username', usernames).select('username', 'role');

  beforeAll(async () => {
    staff = await makeStaff(db().knex);
  });

  it('imports doctors with their profile and default hours, and a second run adds nothing', async () => {
    const [a, b] = [uniqueName('dr'), uniqueName('dr')];
    const file = await writeFile(
      'doctors.csv',
      ['username,name,specialty,license,slotMinutes,email', `${a},Ana Costa,Cardiology,LIC-${a},20,${a}@clinic.example`, `${b},Bruno Lopez,,,,`].join('\n'),
    );
    const first = await cli(['doctors', 'import', file, '--json']);
    expect(first.stderr).toBe('');
    expect(first.json()).toEqual({ imported: 2, skipped: 0, rejected: 0 });
    const doctor = await db().knex('doctors').join('users', 'users.id', 'doctors.user_id').where('users.username', a).first();
    expect(doctor).toMatchObject({ full_name: 'Ana Costa', specialty: 'Cardiology', license_number: `LIC-${a}`, slot_minutes: 20, role: 'doctor' });
    expect(await db().knex('doctor_hours').where({ doctor_id: doctor.user_id })).toHaveLength(5);
    const second = await cli(['doctors', 'import', file, '--json']);
    expect(second.json()).toEqual({ imported: 0, skipped: 2, rejected: 0 });
  });

  it('refuses the whole file when a row is bad, listing each bad row with its line, and writes nothing', async () => {
    const [good, bad] = [uniqueName('dr'), uniqueName('dr')];
    const file = await writeFile(
      'bad-doctors.csv',
      ['username,name,slotMinutes', `${good},Good Doctor,30`, `${bad},Bad Slot,7`, `Not A Username!,Someone,30`, `${uniqueName('dr')},,30`].join('\n'),
    );
    const result = await cli(['doctors', 'import', file]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/3 rows are invalid; no doctors were imported/);
    expect(result.stderr).toMatch(/line 3: Invalid slot minutes: slot minutes must be a multiple of 5/);
    expect(result.stderr).toMatch(/line 4: Invalid username/);
    expect(result.stderr).toMatch(/line 5: Invalid name/);
    expect(await usersNamed([good, bad])).toEqual([]);

    const json = await cli(['doctors', 'import', file, '--json']);
    expect(JSON.parse(json.stderr).error.rows.map((row: { line: number }) => row.line)).toEqual([3, 4, 5]);
  });

  it('imports patients onto the panels of the doctors named; --skip-invalid sets the bad rows aside in --rejects', async () => {
    const doctor = await makeDoctor(db().knex, { username: uniqueName('dr') });
    const other = await makeDoctor(db().knex, { username: uniqueName('dr') });
    const existing = await makePatient(db().knex, { username: uniqueName('pt') });
    const [p1, p2, p3] = [uniqueName('pt'), uniqueName('pt'), uniqueName('pt')];
    const file = await writeFile(
      'patients.csv',
      [
        'username,name,dob,phone,email,doctors',
        `${p1},Maya Silva,1980-02-29,+351 912 345 678,${p1}@mail.example,${doctor.username} ${other.username}`,
        `${p2},Future Child,2999-01-01,,,`,
        `${p3},Nobody's Patient,,,,dr.nobody`,
        `${existing.username},Already Here,,,,`,
        `${doctor.username},A Doctor,,,,`,
      ].join('\n'),
    );
    const rejects = path.join(tmp, `${uniqueName('rejects')}.csv`);
    const result = await cli(['patients', 'import', file, '--skip-invalid', '--rejects', rejects, '--json']);
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ imported: 1, skipped: 1, rejected: 3 });
    const patient = await db().knex('patients').join('users', 'users.id', 'patients.user_id').where('users.username', p1).first();
    expect(patient).toMatchObject({ date_of_birth: '1980-02-29', phone: '+351 912 345 678', email: `${p1}@mail.example` });
    const panel = await db().knex('doctor_patients').where({ patient_id: patient.user_id }).pluck('doctor_id');
    expect(panel.sort()).toEqual([doctor.id, other.id].sort());
    const lines = (await fs.readFile(rejects, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('username,name,dob,phone,email,doctors,_line,_error');
    expect(lines[1]).toMatch(new RegExp(`^${p2},Future Child,2999-01-01,,,,3,Invalid date of birth: 2999-01-01 is in the future$`));
    expect(lines[2]).toMatch(new RegExp(`^${p3},Nobody's Patient,,,,dr.nobody,4,.*dr\\.nobody`));
    expect(lines[3]).toMatch(new RegExp(`^${doctor.username},A Doctor,,,,,6,"the username ""${doctor.username}"" belongs to a doctor"$`));
    expect(await usersNamed([p2, p3])).toEqual([]);
  });

  for (const noun of ['patients', 'doctors'] as const) {
    it(`${noun} import: a username repeated in the file (in any case) is a bad later line naming the earlier one`, async () => {
      const [dup, other] = [uniqueName('dup'), uniqueName('dup')];
      const file = await writeFile(`${noun}-dup.csv`, ['username,name', `${dup},A`, `${dup.toUpperCase()},B`, `${other},C`].join('\n'));
      const refused = await cli([noun, 'import', file]);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(`1 row is invalid; no ${noun} were imported`);
      expect(refused.stderr).toContain(`line 3: username "${dup}" repeats line 2`);
      expect(await usersNamed([dup, other])).toEqual([]);
      const skipping = await cli([noun, 'import', file, '--skip-invalid', '--json']);
      expect(skipping.json()).toEqual({ imported: 2, skipped: 0, rejected: 1 });
      expect(skipping.stderr).toContain('repeats line 2');
      expect(await db().knex('users').where({ username: dup }).first()).toMatchObject({ full_name: 'A' });
    });
  }

  it('refuses an empty CSV file (no header row) as invalid input; a header alone imports nothing', async () => {
    for (const noun of ['patients', 'doctors']) {
      const empty = await cli([noun, 'import', await writeFile(`${noun}-empty.csv`, '')]);
      expect(empty.code).toBe(3);
      expect(empty.stderr).toContain('The file is empty (no header row)');
      expect((await cli([noun, 'import', '-'], staff, '')).code).toBe(3);
      const header = await cli([noun, 'import', await writeFile(`${noun}-header.csv`, 'username,name\n'), '--json']);
      expect(header.json()).toEqual({ imported: 0, skipped: 0, rejected: 0 });
    }
  });

  it('--dry-run writes nothing, reads NDJSON from stdin, and the import is for staff only', async () => {
    const username = uniqueName('pt');
    const ndjson = `${JSON.stringify({ username, name: 'Dry Run', dob: '1990-05-01' })}\n`;
    const dry = await cli(['patients', 'import', '-', '--dry-run', '--json'], staff, ndjson);
    expect(dry.json()).toEqual({ imported: 1, skipped: 0, rejected: 0 });
    expect(await usersNamed([username])).toEqual([]);
    const doctor = await makeDoctor(db().knex, { username: uniqueName('dr') });
    expect((await cli(['patients', 'import', '-'], doctor, ndjson)).code).toBe(5);
    const real = await cli(['patients', 'import', '-', '--format', 'ndjson', '--json'], staff, ndjson);
    expect(real.json()).toEqual({ imported: 1, skipped: 0, rejected: 0 });
    expect(await usersNamed([username])).toEqual([{ username, role: 'patient' }]);
  });
});
