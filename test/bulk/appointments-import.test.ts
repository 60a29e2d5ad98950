import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import type { Actor } from '../../src/domain/policy.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAppointment, makeDoctor, makePatient, makeStaff, uniqueName, type MadeUser } from '../support/factories.js';

// A fixed "now": Friday 1 January 2027, noon UTC. Monday 4 January is a working day in the future.
const NOW = new Date('2027-01-01T12:00:00Z');
const now = () => NOW;
const ZONE = 'Europe/Berlin';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(inject('testRoot'), 'clinic-import-')); // the run's root, which the teardown removes
});

async function writeFile(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(tmp, `${uniqueName('f')}-${name}`);
  await fs.writeFile(file, content);
  return file;
}

const HEADER = 'patient,doctor,date,time,reason,durationMinutes,status,externalId';

describeBackends('appointments import', (db) => {
  let staff: Actor;
  let doctor: MadeUser;
  let other: MadeUser;
  let patients: MadeUser[];

  const count = async (doctorId = doctor.id) => Number((await db().knex('appointments').where({ doctor_id: doctorId }).count({ n: '*' }))[0]!.n);
  const importCli = (args: string[], options: { stdin?: string; actor?: Actor | null } = {}) =>
    runCli(['appointments', 'import', ...args], {
      database: db().database,
      actor: options.actor === undefined ? staff : options.actor,
      now,
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    });

  /** A fresh doctor (mon–fri 09:00–17:00, 30-minute slots) and patients, so that tests do not meet each other's rows. */
  async function freshClinic() {
    doctor = await makeDoctor(db().knex, { username: uniqueName('dr') });
    other = await makeDoctor(db().knex, { username: uniqueName('dr'), slotMinutes: 20 });
    patients = [];
    for (let i = 0; i < 4; i++) patients.push(await makePatient(db().knex, { username: uniqueName('pt') }));
  }

  beforeAll(async () => {
    staff = await makeStaff(db().knex);
    await upsertSetting(db().knex, 'timezone', ZONE, null);
  });

  it('imports a valid CSV file, reading dates and times in the clinic time zone, and prints the JSON summary', async () => {
    await freshClinic();
    const file = await writeFile(
      'ok.csv',
      [
        HEADER,
        `${patients[0]!.username},${doctor.username},2027-01-04,09:00,Check-up,,,ext-a-1`,
        `${patients[1]!.username},${doctor.username},2027-01-04,09:30,"Cough, dry",60,APPROVED,ext-a-2`,
        `${patients[2]!.username},${other.username},2027-01-04,09:20,,,,`,
      ].join('\n'),
    );
    const result = await importCli([file, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ imported: 3, skipped: 0, rejected: 0 });
    const rows = await db().knex('appointments').whereIn('doctor_id', [doctor.id, other.id]).orderBy('starts_at').orderBy('doctor_id');
    expect(rows).toHaveLength(3);
    const first = rows.find((row) => row.external_id === 'ext-a-1')!;
    expect(first.starts_at.toISOString()).toBe('2027-01-04T08:00:00.000Z');
    expect(first.ends_at.toISOString()).toBe('2027-01-04T08:30:00.000Z');
    expect(first.status).toBe('PENDING');
    const second = rows.find((row) => row.external_id === 'ext-a-2')!;
    expect(second.reason).toBe('Cough, dry');
    expect(second.status).toBe('APPROVED');
    expect(second.ends_at.toISOString()).toBe('2027-01-04T09:30:00.000Z');
    const third = rows.find((row) => row.doctor_id === other.id)!;
    expect(third.ends_at.getTime() - third.starts_at.getTime()).toBe(20 * 60_000);
    const panel = await db().knex('doctor_patients').where({ doctor_id: doctor.id, patient_id: patients[0]!.id });
    expect(panel).toHaveLength(1);
    const audit = await db().knex('audit_log').where({ action: 'appointments.import', actor_id: staff.id }).orderBy('id', 'desc').first();
    expect(audit.details).toMatchObject({ imported: 3, skipped: 0, rejected: 0 });
  });

  it('skips rows whose externalId is already imported, so a second import adds nothing', async () => {
    await freshClinic();
    const file = await writeFile(
      'twice.csv',
      [
        HEADER,
        `${patients[0]!.username},${doctor.username},2027-01-05,10:00,,,,ext-${doctor.username}-1`,
        `${patients[1]!.username},${doctor.username},2027-01-05,10:30,,,,ext-${doctor.username}-2`,
      ].join('\n'),
    );
    expect((await importCli([file, '--json'])).json()).toEqual({ imported: 2, skipped: 0, rejected: 0 });
    const again = await importCli([file, '--json']);
    expect(again.code).toBe(0);
    expect(again.json()).toEqual({ imported: 0, skipped: 2, rejected: 0 });
    expect(await count()).toBe(2);
    const human = await importCli([file]);
    expect(human.stdout).toMatch(/Nothing to import: all 2 appointments in this file were imported before/);
  });

  it('refuses a row whose externalId another appointment holds (other parties or start), saying nothing about that appointment', async () => {
    await freshClinic();
    const [a, b] = patients.map((p) => p.username);
    const key = uniqueName('ext-zz');
    // a patient's own booking stores its idempotency key where imports keep externalId
    const booked = await runCli(
      ['appointments', 'book', '--patient', b!, '--doctor', doctor.username, '--date', '2027-01-06', '--time', '10:00', '--idempotency-key', key],
      {
        database: db().database,
        actor: patients[1]!,
        now,
      },
    );
    expect(booked.code).toBe(0);
    const rows = [
      `${a},${doctor.username},2027-01-07,11:00,import row,,,${key}`, // another patient
      `${b},${doctor.username},2027-01-07,11:00,import row,,,${key}`, // the same parties, another start
    ];
    for (const row of rows) {
      const file = await writeFile('taken.csv', [HEADER, row].join('\n'));
      const result = await importCli([file]);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`line 2: externalId "${key}" is already used by a different appointment`);
      expect(result.stderr).not.toContain(b!);
      expect(result.stderr).not.toMatch(/2027-01-06|10:00/);
      const skipping = await importCli([file, '--skip-invalid', '--json']);
      expect(skipping.json()).toEqual({ imported: 0, skipped: 0, rejected: 1 });
    }
    expect(await count()).toBe(1);
    // the booked appointment itself, in a file: imported before, skipped
    const same = await writeFile('same.csv', [HEADER, `${b},${doctor.username},2027-01-06,10:00,,,,${key}`].join('\n'));
    expect((await importCli([same, '--json'])).json()).toEqual({ imported: 0, skipped: 1, rejected: 0 });
  });

  it('refuses the whole file when any row is bad, listing every bad row with its line, and writes nothing', async () => {
    await freshClinic();
    const [a, b, c, d] = patients.map((p) => p.username);
    const file = await writeFile(
      'bad.csv',
      [
        HEADER,
        `${a},${doctor.username},2027-01-04,09:00,fine,,,`, // 2: good
        `${b},dr.nobody,2027-01-04,09:00,,,,`, // 3: unknown doctor
        `${b},${doctor.username},2027-01-04,18:00,,,,`, // 4: outside hours
        `${b},${doctor.username},2027-01-04,09:10,,,,`, // 5: off the grid
        `${c},${doctor.username},2026-12-28,09:00,,,,`, // 6: in the past
        `${d},${doctor.username},2027-01-04,09:00,,,,`, // 7: clashes with line 2 (doctor)
        `${a},${other.username},2027-01-04,09:20,,,,`, // 8: clashes with line 2 (patient)
        `${c},${doctor.username},2027-01-09,10:00,,,,`, // 9: a Saturday
        `${c},${doctor.username},2027-01-04,16:30,,60,,`, // 10: runs past 17:00
        `${c},${doctor.username},2027-01-04,not-a-time,,,,`, // 11: bad time
        `${c},${doctor.username},2027-02-30,10:00,,,,`, // 12: no such date
        `${c},${doctor.username},2027-01-04,11:00,,,MAYBE,`, // 13: bad status
        `pt.nobody,${doctor.username},2027-01-04,12:00,,,,`, // 14: unknown patient
      ].join('\n'),
    );
    const result = await importCli([file]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/12 rows are invalid; no appointments were imported/);
    const expected: Array<[number, RegExp]> = [
      [3, /unknown doctor "dr\.nobody"/],
      [4, /18:00 is outside the doctor's hours on Mondays/],
      [5, /09:10 is not on the doctor's 30-minute grid/],
      [6, /2026-12-28 09:00 is in the past/],
      [7, /overlaps line 2 of this file \(same doctor\)/],
      [8, /overlaps line 2 of this file \(same patient\)/],
      [9, /the doctor does not work on Saturdays/],
      [10, /the appointment runs past the end of the doctor's hours \(17:00\)/],
      [11, /invalid time "not-a-time"/],
      [12, /invalid date "2027-02-30"/],
      [13, /invalid status "MAYBE"/],
      [14, /unknown patient "pt\.nobody"/],
    ];
    for (const [line, reason] of expected) expect(result.stderr).toMatch(new RegExp(`line ${line}: ${reason.source}`));
    expect(result.stderr).not.toMatch(/line 2:/);
    expect(await count()).toBe(0);
    expect(await count(other.id)).toBe(0);

    const json = await importCli([file, '--json']);
    expect(json.code).toBe(3);
    expect(json.stdout).toBe('');
    const error = JSON.parse(json.stderr).error;
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.rows.map((row: { line: number }) => row.line)).toEqual(expected.map(([line]) => line));
  });

  it('with --skip-invalid imports the good rows and writes the bad ones, with line and error, to --rejects', async () => {
    await freshClinic();
    const [a, b] = patients.map((p) => p.username);
    const file = await writeFile(
      'mixed.csv',
      [
        HEADER,
        `${a},${doctor.username},2027-01-04,09:00,one,,,`,
        `${b},${doctor.username},2027-01-04,09:00,"clash, with ""quotes""",,,x-1`,
        `${b},${doctor.username},2027-01-04,10:00,two,,,`,
        `${b},dr.nobody,2027-01-04,11:00,,,,`,
      ].join('\n'),
    );
    const rejects = path.join(tmp, `${uniqueName('rejects')}.csv`);
    const result = await importCli([file, '--skip-invalid', '--rejects', rejects, '--json']);
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ imported: 2, skipped: 0, rejected: 2 });
    expect(await count()).toBe(2);
    const text = await fs.readFile(rejects, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe(`${HEADER},cancelReason,rescheduledFromId,seriesId,_line,_error`);
    expect(lines[1]).toBe(`${b},${doctor.username},2027-01-04,09:00,"clash, with ""quotes""",,,x-1,,,,3,overlaps line 2 of this file (same doctor)`);
    expect(lines[2]).toBe(`${b},dr.nobody,2027-01-04,11:00,,,,,,,,5,"unknown doctor ""dr.nobody"""`);

    // Without --rejects the bad rows go to stderr, the summary to stdout.
    await freshClinic();
    const again = await writeFile(
      'mixed2.csv',
      [HEADER, `${patients[0]!.username},dr.nobody,2027-01-04,11:00,,,,`, `${patients[0]!.username},${doctor.username},2027-01-04,11:00,,,,`].join('\n'),
    );
    const toStderr = await importCli([again, '--skip-invalid']);
    expect(toStderr.code).toBe(0);
    expect(toStderr.stderr).toMatch(/^line 2: unknown doctor "dr\.nobody"$/m);
    expect(toStderr.stdout).toMatch(/Imported 1 appointments, skipped 0 already imported, rejected 1/);
  });

  it('--dry-run reports what would happen and writes nothing', async () => {
    await freshClinic();
    const file = await writeFile(
      'dry.csv',
      [
        HEADER,
        `${patients[0]!.username},${doctor.username},2027-01-06,09:00,,,,dry-1`,
        `${patients[1]!.username},${doctor.username},2027-01-06,09:30,,,,dry-2`,
      ].join('\n'),
    );
    const result = await importCli([file, '--dry-run', '--json']);
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({ imported: 2, skipped: 0, rejected: 0 });
    expect(await count()).toBe(0);
    const human = await importCli([file, '--dry-run']);
    expect(human.stdout).toMatch(/Dry run, nothing written: would import 2/);
    expect(await count()).toBe(0);
    const bad = await writeFile('dry-bad.csv', [HEADER, `${patients[0]!.username},dr.nobody,2027-01-06,09:00,,,,`].join('\n'));
    expect((await importCli([bad, '--dry-run'])).code).toBe(3);
  });

  it("checks rows against existing appointments and the doctor's time-off", async () => {
    await freshClinic();
    await makeAppointment(db().knex, { patient: patients[0]!, doctor, startsAt: '2027-01-04T08:00:00Z', status: 'APPROVED' });
    await db()
      .knex('doctor_timeoff')
      .insert({ doctor_id: doctor.id, starts_at: new Date('2027-01-05T00:00:00Z'), ends_at: new Date('2027-01-06T00:00:00Z') });
    const file = await writeFile(
      'existing.csv',
      [
        HEADER,
        `${patients[1]!.username},${doctor.username},2027-01-04,09:00,,,,`, // doctor busy
        `${patients[0]!.username},${other.username},2027-01-04,09:00,,,,`, // patient busy
        `${patients[1]!.username},${doctor.username},2027-01-05,10:00,,,,`, // time-off
        `${patients[1]!.username},${doctor.username},2027-01-04,09:00,,,CANCELLED,`, // inactive: no clash
      ].join('\n'),
    );
    const result = await importCli([file, '--skip-invalid', '--json']);
    expect(result.json()).toEqual({ imported: 1, skipped: 0, rejected: 3 });
    const errors = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(errors).toEqual([
      { line: 2, error: 'the doctor already has an appointment then' },
      { line: 3, error: 'the patient already has an appointment then' },
      { line: 4, error: 'the doctor is away from 2027-01-05 01:00 to 2027-01-06 01:00' },
    ]);
  });

  it('reads NDJSON from stdin (sniffed, or with --format) and from .ndjson files', async () => {
    await freshClinic();
    const rows = [
      { patient: patients[0]!.username, doctor: doctor.username, date: '2027-01-07', time: '09:00', reason: 'json', durationMinutes: 30, externalId: 'nd-1' },
      { patient: patients[1]!.username, doctor: doctor.username, date: '2027-01-07', time: '09:30', status: 'approved' },
    ];
    const ndjson = `\n${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
    const sniffed = await importCli(['-', '--dry-run', '--json'], { stdin: ndjson });
    expect(sniffed.json()).toEqual({ imported: 2, skipped: 0, rejected: 0 });
    const result = await importCli(['-', '--format', 'ndjson', '--json'], { stdin: ndjson });
    expect(result.json()).toEqual({ imported: 2, skipped: 0, rejected: 0 });
    const file = await writeFile('rows.ndjson', `${JSON.stringify(rows[0])}\nnot json\n[1]\n`);
    const bad = await importCli([file]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/line 2: malformed JSON/);
    expect(bad.stderr).toMatch(/line 3: each line must be one JSON object/);
  });

  it('rejects a local time that does not exist (DST gap) and takes the earlier of a repeated one', async () => {
    const sunday = await makeDoctor(db().knex, { username: uniqueName('dr'), hours: [{ weekday: 7, start: '00:00', end: '06:00' }] });
    const patient = await makePatient(db().knex, { username: uniqueName('pt') });
    const file = await writeFile(
      'dst.csv',
      [HEADER, `${patient.username},${sunday.username},2027-03-28,02:30,,,,`, `${patient.username},${sunday.username},2027-10-31,02:30,,,,dst-2`].join('\n'),
    );
    const result = await importCli([file, '--skip-invalid', '--json']);
    expect(result.json()).toEqual({ imported: 1, skipped: 0, rejected: 1 });
    expect(result.stderr).toMatch(/"line":2,"error":"2027-03-28 02:30 does not exist in Europe\/Berlin/);
    const row = await db().knex('appointments').where({ external_id: 'dst-2' }).first();
    expect(row.starts_at.toISOString()).toBe('2027-10-31T00:30:00.000Z');
  });

  describe('malformed input: exit 3, line numbers, nothing written', () => {
    const cases: Array<[string, (p: string, d: string) => string | Buffer, RegExp]> = [
      [
        'an unclosed quote',
        (p, d) => `${HEADER}\n${p},${d},2027-01-04,09:00,"never closed,,,\n${p},${d},2027-01-04,10:00,,,,\n`,
        /line \d+: malformed CSV: a quoted field is not closed/,
      ],
      ['a wrong column count', (p, d) => `${HEADER}\n${p},${d},2027-01-04,09:00\n`, /line 2: expected 8 fields .*found 4/],
      [
        'invalid UTF-8',
        (p, d) => Buffer.concat([Buffer.from(`${HEADER}\n${p},${d},2027-01-04,09:00,`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(',,,\n')]),
        /line 2: invalid UTF-8/,
      ],
      ['an unknown doctor', (p) => `${HEADER}\n${p},dr.ghost,2027-01-04,09:00,,,,\n`, /line 2: unknown doctor "dr\.ghost"/],
      ['a time outside hours', (p, d) => `${HEADER}\n${p},${d},2027-01-04,07:00,,,,\n`, /line 2: 07:00 is outside the doctor's hours/],
      ['an empty file', () => '', /The file is empty \(no header row\): a CSV import file starts with a line naming its columns/],
      ['a file of blank lines', () => '\n\n', /The file is empty \(no header row\)/],
      [
        'an unknown column',
        (p, d) => `patient,doctor,date,time,colour\n${p},${d},2027-01-04,09:00,red\n`,
        /Line 1: the header row has unknown column\(s\) "colour"/,
      ],
    ];
    for (const [name, content, message] of cases) {
      it(`refuses ${name}`, async () => {
        await freshClinic();
        const file = await writeFile('bad.csv', content(patients[0]!.username, doctor.username));
        const result = await importCli([file]);
        expect(result.code).toBe(3);
        expect(result.stderr).toMatch(message);
        expect(await count()).toBe(0);
      });
    }

    it('takes a header alone, or an NDJSON file of no rows, for a file of no appointments (exit 0)', async () => {
      for (const [name, content, args] of [
        ['header.csv', `${HEADER}\n`, []],
        ['empty.ndjson', '', []],
        ['empty', '', ['--format', 'ndjson']],
      ] as const) {
        const result = await importCli([await writeFile(name, content), ...args, '--json']);
        expect(result.code).toBe(0);
        expect(result.json()).toEqual({ imported: 0, skipped: 0, rejected: 0 });
      }
    });

    it('names the physical line a row starts on after a multi-line cell, whatever the line endings (CRLF, a bare CR)', async () => {
      await freshClinic();
      const [p, d] = [patients[0]!.username, doctor.username];
      for (const cellBreak of ['\r\n', '\r', '\n']) {
        const file = await writeFile('crlf.csv', `${HEADER}\r\n${p},${d},2027-01-04,09:00,"multi${cellBreak}line",,,\r\n${p},${d},2027-01-04,99:00,x,,,\r\n`);
        const result = await importCli([file, '--dry-run', '--json']);
        expect(result.code).toBe(3);
        expect(JSON.parse(result.stderr).error.rows).toEqual([{ line: 4, error: 'invalid time "99:00": use HH:MM on the 24-hour clock' }]);
      }
    });

    it('skips a line of only white space (a stray CR in an LF file, spaces, a tab) as it skips a blank one', async () => {
      await freshClinic();
      const [p, d] = [patients[0]!.username, doctor.username];
      const file = await writeFile('stray.csv', `${HEADER}\n${p},${d},2027-01-04,09:00,,,,\n\r\n   \n\t\n${p},${d},2027-01-04,99:00,x,,,\n`);
      const result = await importCli([file, '--dry-run', '--json']);
      expect(result.code).toBe(3);
      expect(JSON.parse(result.stderr).error.rows).toEqual([{ line: 6, error: 'invalid time "99:00": use HH:MM on the 24-hour clock' }]);
    });

    it('accepts a byte-order mark, with line numbers counted from the header', async () => {
      await freshClinic();
      const file = await writeFile(
        'bom.csv',
        `\uFEFF${HEADER}\r\n${patients[0]!.username},${doctor.username},2027-01-04,09:00,"two\nlines",,,\r\n${patients[1]!.username},dr.ghost,2027-01-04,09:00,,,,\r\n`,
      );
      const result = await importCli([file, '--skip-invalid', '--json']);
      expect(result.code).toBe(0);
      expect(result.json()).toEqual({ imported: 1, skipped: 0, rejected: 1 });
      expect(result.stderr).toMatch(/"line":4/);
    });
  });

  it('is for clinic staff: a doctor is refused (exit 5) and an anonymous user must log in (exit 4)', async () => {
    await freshClinic();
    const file = await writeFile('role.csv', [HEADER, `${patients[0]!.username},${doctor.username},2027-01-04,09:00,,,,`].join('\n'));
    expect((await importCli([file], { actor: doctor })).code).toBe(5);
    expect((await importCli([file], { actor: null })).code).toBe(4);
    expect(await count()).toBe(0);
  });
});
