import { beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, describeBackends, type TestDatabase } from '../support/database.js';
import { makeAdmin, makeDoctor, makeStaff, uniqueName } from '../support/factories.js';

/** The list commands' JSON names are accepted on import beside the import's own (README "Bulk work"). */
describeBackends('import field spellings', (db) => {
  let staff: Actor;
  const cli = (args: string[], stdin?: string) => runCli(args, { database: db().database, actor: staff, ...(stdin !== undefined ? { stdin } : {}) });

  beforeAll(async () => {
    staff = await makeStaff(db().knex);
  });

  it('doctors import takes fullName and licenseNumber (CSV and NDJSON), as doctors list writes them', async () => {
    const [a, b] = [uniqueName('dr'), uniqueName('dr')];
    const csv = await cli(['doctors', 'import', '-', '--format', 'csv', '--json'], `username,fullName,licenseNumber\n${a},Ana Costa,LIC-${a}\n`);
    expect(csv.code, csv.stderr).toBe(0);
    const ndjson = await cli(
      ['doctors', 'import', '-', '--format', 'ndjson', '--json'],
      `${JSON.stringify({ username: b, fullName: 'Bruno Lopez', licenseNumber: `LIC-${b}` })}\n`,
    );
    expect(ndjson.code, ndjson.stderr).toBe(0);
    const listed = await cli(['doctors', 'list', '--json']);
    const doctors = listed.json<Array<{ username: string; fullName: string; licenseNumber: string }>>();
    expect(doctors.find((d) => d.username === a)).toMatchObject({ fullName: 'Ana Costa', licenseNumber: `LIC-${a}` });
    expect(doctors.find((d) => d.username === b)).toMatchObject({ fullName: 'Bruno Lopez', licenseNumber: `LIC-${b}` });
  });

  it('patients import takes fullName and dateOfBirth; a field under both spellings is refused', async () => {
    const doctor = await makeDoctor(db().knex);
    const p = uniqueName('pt');
    const result = await cli(
      ['patients', 'import', '-', '--format', 'ndjson', '--json'],
      `${JSON.stringify({ username: p, fullName: 'Carla Dias', dateOfBirth: '1980-04-02', doctors: doctor.username })}\n`,
    );
    expect(result.code, result.stderr).toBe(0);
    const shown = await cli(['patients', 'show', p, '--json']);
    expect(shown.json()).toMatchObject({ fullName: 'Carla Dias', dateOfBirth: '1980-04-02' });
    const both = await cli(['patients', 'import', '-', '--format', 'csv', '--json'], `username,name,fullName\n${uniqueName('pt')},A,B\n`);
    expect(both.code).toBe(3);
    expect(both.stderr).toMatch(/repeated column\(s\) name/);
    const twice = await cli(
      ['patients', 'import', '-', '--format', 'ndjson', '--json'],
      `${JSON.stringify({ username: uniqueName('pt'), name: 'A', fullName: 'B' })}\n`,
    );
    expect(twice.code).toBe(3);
    expect(twice.stderr).toMatch(/given twice/);
  });
});

/** README "Bulk work": a `list --json` can be fed back, one object per line (`jq -c '.[]'`). */
describeBackends('a list fed back to its import', (db) => {
  const cli = (args: string[], database: TestDatabase, actor: Actor, stdin?: string) =>
    runCli(args, { database: database.database, actor, ...(stdin !== undefined ? { stdin } : {}) });
  /** `clinic NOUN list --json | jq -c '.[]'` */
  const listAsNdjson = async (noun: string, database: TestDatabase, actor: Actor) =>
    (await cli([noun, 'list', '--json'], database, actor))
      .json<object[]>()
      .map((item) => `${JSON.stringify(item)}\n`)
      .join('');
  const withoutAccountKeys = (ndjson: string) =>
    ndjson
      .trim()
      .split('\n')
      .map((line) => {
        const { id, createdAt, updatedAt, ...rest } = JSON.parse(line) as Record<string, unknown>;
        expect([id, createdAt, updatedAt].every((value) => typeof value === 'string')).toBe(true);
        return rest;
      });

  it('imports the people of `doctors list --json` and `patients list --json` into another clinic as they were listed, and again adds nothing', async () => {
    const staff = await makeStaff(db().knex);
    const [dr, pt] = [uniqueName('dr'), uniqueName('pt')];
    const seeded = await cli(
      ['doctors', 'import', '-', '--format', 'ndjson', '--json'],
      db(),
      staff,
      `${JSON.stringify({ username: dr, name: 'Ana Costa', specialty: 'Cardiology', license: `LIC-${dr}`, slotMinutes: 20, email: `${dr}@clinic.example` })}\n`,
    );
    expect(seeded.code, seeded.stderr).toBe(0);
    const patient = { username: pt, name: 'Carla Dias', dob: '1980-04-02', phone: '+351 555 0100', email: `${pt}@mail.example`, doctors: dr };
    expect((await cli(['patients', 'import', '-', '--format', 'ndjson', '--json'], db(), staff, `${JSON.stringify(patient)}\n`)).code).toBe(0);

    const doctors = await listAsNdjson('doctors', db(), staff);
    const patients = await listAsNdjson('patients', db(), staff);
    expect(withoutAccountKeys(patients)).toContainEqual({
      username: pt,
      fullName: 'Carla Dias',
      email: `${pt}@mail.example`,
      role: 'patient',
      status: 'active',
      dateOfBirth: '1980-04-02',
      phone: '+351 555 0100',
    });
    const count = (ndjson: string) => ndjson.trim().split('\n').length;
    expect((await cli(['doctors', 'import', '-', '--dry-run', '--json'], db(), staff, doctors)).json()).toEqual({
      imported: 0,
      skipped: count(doctors),
      rejected: 0,
    });
    expect((await cli(['patients', 'import', '-', '--dry-run', '--json'], db(), staff, patients)).json()).toEqual({
      imported: 0,
      skipped: count(patients),
      rejected: 0,
    });

    const fresh = await createTestDatabase(db().backend);
    try {
      const freshStaff = await makeStaff(fresh.knex);
      expect((await cli(['doctors', 'import', '-', '--json'], fresh, freshStaff, doctors)).json()).toEqual({
        imported: count(doctors),
        skipped: 0,
        rejected: 0,
      });
      expect((await cli(['patients', 'import', '-', '--json'], fresh, freshStaff, patients)).json()).toEqual({
        imported: count(patients),
        skipped: 0,
        rejected: 0,
      });
      expect(withoutAccountKeys(await listAsNdjson('doctors', fresh, freshStaff))).toEqual(withoutAccountKeys(doctors));
      expect(withoutAccountKeys(await listAsNdjson('patients', fresh, freshStaff))).toEqual(withoutAccountKeys(patients));
    } finally {
      await fresh.drop();
    }
  });

  it('refuses a list of other roles: a role, when given, must be the import’s', async () => {
    const admin = await makeAdmin(db().knex);
    const users = await listAsNdjson('users', db(), admin);
    const result = await cli(['patients', 'import', '-', '--format', 'ndjson', '--json'], db(), admin, users);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('field \\"role\\" must be \\"patient\\" in this import, not \\"staff\\"');
    const csv = await cli(['doctors', 'import', '-', '--format', 'csv', '--json'], db(), admin, `username,name,role\n${uniqueName('dr')},A,patient\n`);
    expect(csv.code).toBe(3);
    expect(csv.stderr).toContain('field \\"role\\" must be \\"doctor\\" in this import, not \\"patient\\"');
  });
});
