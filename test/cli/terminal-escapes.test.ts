import { beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { terminalSafe } from '../../src/cli/output.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { appointmentSeeder, makeDoctor, makePatient, makeStaff } from '../support/factories.js';
import { NOW } from '../appointments/helpers.js';

/** What a patient might type into a name or a reason: window title, screen clear, CSI recolouring. */
const TITLE = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J';
const C1_CSI = '\u009b31m';
const NAME = `Eve ${TITLE}Mallory${CLEAR}`;
const REASON = `${C1_CSI}fake${CLEAR} pain\x1b[0m\r\u202eevil\nstatus    CANCELLED`;
// Anything a terminal acts on: C0 except none at all in a field, C1, bidi overrides.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

describeBackends('terminal escapes in human output', (db) => {
  let staff: Actor;
  let patient: Actor;
  let appointmentId: string;
  const as = (args: string[]) => runCli(args, { database: db().database, actor: staff, now: () => NOW });

  beforeAll(async () => {
    staff = await makeStaff(db().knex);
    const doctor = await makeDoctor(db().knex);
    patient = await makePatient(db().knex, { fullName: NAME, doctors: [doctor] });
    appointmentId = (await appointmentSeeder(() => db().knex)({ patient, doctor, status: 'PENDING' })).id;
    await db().knex('appointments').where({ id: appointmentId }).update({ reason: REASON });
  });

  const humanCases: Array<[string, () => string[], string]> = [
    ['appointments list', () => ['appointments', 'list', '--from', '2027-01-01', '--to', '2027-12-31'], 'fake'],
    ['appointments show', () => ['appointments', 'show', appointmentId], 'fake'],
    ['patients list', () => ['patients', 'list'], 'Mallory'],
    ['patients show', () => ['patients', 'show', patient.username], 'Mallory'],
  ];

  for (const [name, args, marker] of humanCases) {
    it(`${name}: no control character reaches the terminal; the text is shown escaped`, async () => {
      const result = await as(args());
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(marker);
      // Line feeds separate table rows and record lines; none may come from the data itself.
      for (const line of result.stdout.split('\n')) expect(line).not.toMatch(RAW_CONTROL);
      expect(result.stdout).not.toContain('\u009b');
      expect(result.stdout).not.toMatch(/^status\s+CANCELLED/m);
      expect(result.stdout).toMatch(/\\x1b|\\x9b/);
    });
  }

  it('--json keeps every character exactly', async () => {
    const shown = (await as(['appointments', 'show', appointmentId, '--json'])).json<{ reason: string }>();
    expect(shown.reason).toBe(REASON);
    const listed = (await as(['appointments', 'list', '--from', '2027-01-01', '--to', '2027-12-31', '--json'])).json<Array<{ id: string; reason: string }>>();
    expect(listed.find((row) => row.id === appointmentId)?.reason).toBe(REASON);
    expect((await as(['patients', 'show', patient.username, '--json'])).json<{ fullName: string }>().fullName).toBe(NAME);
    const patients = (await as(['patients', 'list', '--json'])).json<Array<{ username: string; fullName: string }>>();
    expect(patients.find((row) => row.username === patient.username)?.fullName).toBe(NAME);
  });

  it('plain lines and errors go through the same neutraliser', async () => {
    const renamed = await as(['patients', 'update', patient.username, `--email=${CLEAR}not-an-address`]);
    expect(renamed.code).toBe(3);
    expect(renamed.stderr).not.toMatch(RAW_CONTROL);
    expect(renamed.stderr).toContain('\\x1b[2J');
    expect(terminalSafe(TITLE)).toBe('\\x1b]0;pwned\\x07');
    expect(terminalSafe('a\tb\nc', { lineBreaks: true })).toBe('a\tb\nc');
    expect(terminalSafe('a\tb\nc')).toBe('a\\x09b\\x0ac');
  });

  it('an error quoting what was typed is one line: its CR, LF and TAB shown escaped, a huge value cut short', async () => {
    const phone = await as(['patients', 'add', '--username', 'pt.lines', '--name', 'Lines', '--phone', '1\r\n2\t3']);
    expect(phone.code).toBe(3);
    const [message] = phone.stderr.split('\n');
    expect(message).toMatch(/^Error: Invalid phone.*"1\\x0d\\x0a2\\x093"/);
    const lookup = await as(['appointments', 'list', '--patient', 'a\rb\n✓ Booked']);
    expect(lookup.code).toBe(6);
    expect(lookup.stderr.split('\n')[0]).toContain('a\\x0db\\x0a✓ Booked');
    expect(lookup.stderr).not.toMatch(/^✓/m);
    const huge = await as(['patients', 'add', '--username', 'pt.huge', '--name', 'x'.repeat(100_000)]);
    expect(huge.code).toBe(3);
    expect(huge.stderr.length).toBeLessThan(3_000);
    expect(huge.stderr).toMatch(/… \(\d+ more characters\)/);
  });
});
