import { beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeDoctor, makeStaff, uniqueName } from '../support/factories.js';

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
