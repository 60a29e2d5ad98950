import { beforeAll, expect, it } from 'vitest';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { runCli, type CliResult } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAdmin, makeDoctor, makePatient, type MadeUser } from '../support/factories.js';
import { STACK_FRAME } from './helpers.js';

/**
 * Hostile strings through every free-text field and the search: each is either refused as invalid
 * input (exit 3, a one-line reason, no stack trace) or stored and shown back byte for byte.
 */
const HOSTILE: Array<[string, string]> = [
  ['SQL injection', "Robert'); DROP TABLE users;--"],
  ['SQL comment and quote', "x' OR '1'='1' /* -- */"],
  ['shell metacharacters', '$(rm -rf /) `id` ; | && > /tmp/pwned * ~ \\'],
  ['right-to-left override', 'invoice\u202Efdp.exe\u202C'],
  ['Hebrew and Arabic', 'שלום עולם مرحبا'],
  ['emoji with ZWJ and skin tone', '👩🏽‍⚕️ Dr. 🦷 ✨'],
  ['NFC', 'Jos\u00e9 Mar\u00eda'],
  ['NFD', 'Jose\u0301 Mari\u0301a'],
  ['combining overload', 'Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357alg\u0358o'],
  ['ANSI escape', '\u001b[31mred\u001b[0m \u0007bell'],
  ['NUL byte', 'before\u0000after'],
  ['newlines and tabs', 'line one\nline two\r\n\tindented'],
  ['format string', '%s %d %n {0} ${process.env.HOME} {{7*7}}'],
  ['JSON breaker', '"}],"error":{"code":"x"},"a":["'],
  ['leading dash', '--json'],
  ['only spaces', '   '],
  ['long (2,000 chars)', 'é'.repeat(2000)],
  ['very long (100,000 chars)', 'x'.repeat(100_000)],
];

interface Field {
  name: string;
  /** an optional field where blank text means "none" (stored as null) */
  blankMeansNone?: boolean;
  /** runs the command that stores `value`; returns the result and a way to read it back */
  store: (value: string) => Promise<{ result: CliResult; readBack?: () => Promise<string | null | undefined> }>;
}

describeBackends('hostile strings through names, reasons, bodies and search', (db) => {
  let admin: MadeUser;
  let doctor: MadeUser;
  let patient: MadeUser;
  let serial = 0;
  /** field name → hostile string label → exit code, filled by the field tests below */
  const outcomes: Record<string, Record<string, number>> = {};

  const clinic = (args: string[]) => runCli(args, { database: db().database, actor: admin });
  const nextSlot = () => {
    const n = serial++;
    const day = new Date(Date.UTC(new Date().getUTCFullYear() + 2, 0, 5 + 7 * Math.floor(n / 16))); // walk Mondays... then weekdays below
    while (day.getUTCDay() !== 2) day.setUTCDate(day.getUTCDate() + 1);
    const minutes = 9 * 60 + (n % 16) * 30;
    return { date: day.toISOString().slice(0, 10), time: `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}` };
  };

  const FIELDS: Field[] = [
    {
      name: 'message body',
      store: async (value) => {
        const result = await clinic(['messages', 'send', '--to', patient.username, '--body', value, '--json']);
        return {
          result,
          readBack: async () => (await clinic(['messages', 'read', result.json<{ id: string }>().id, '--json'])).json<{ content: string }>().content,
        };
      },
    },
    {
      name: 'patient full name',
      store: async (value) => {
        const username = `hostile.p${serial++}`;
        const result = await clinic(['patients', 'add', '--username', username, '--name', value, '--json']);
        return { result, readBack: async () => (await clinic(['patients', 'show', username, '--json'])).json<{ fullName: string }>().fullName };
      },
    },
    {
      name: 'user full name (update)',
      store: async (value) => {
        const result = await clinic(['users', 'update', doctor.username, '--name', value, '--json']);
        return { result, readBack: async () => (await clinic(['users', 'show', doctor.username, '--json'])).json<{ fullName: string }>().fullName };
      },
    },
    {
      name: 'doctor specialty',
      blankMeansNone: true,
      store: async (value) => {
        const result = await clinic(['doctors', 'update', doctor.username, '--specialty', value, '--json']);
        return { result, readBack: async () => (await clinic(['doctors', 'show', doctor.username, '--json'])).json<{ specialty: string | null }>().specialty };
      },
    },
    {
      name: 'appointment reason',
      blankMeansNone: true,
      store: async (value) => {
        const { date, time } = nextSlot();
        const result = await clinic([
          'appointments',
          'book',
          '--patient',
          patient.username,
          '--doctor',
          doctor.username,
          '--date',
          date,
          '--time',
          time,
          '--reason',
          value,
          '--json',
        ]);
        return {
          result,
          readBack: async () => (await clinic(['appointments', 'show', result.json<{ id: string }>().id, '--json'])).json<{ reason: string | null }>().reason,
        };
      },
    },
    {
      name: 'time-off reason',
      blankMeansNone: true,
      store: async (value) => {
        const day = 10 + (serial++ % 18);
        const from = `${new Date().getUTCFullYear() + 3}-03-${String(day).padStart(2, '0')}`;
        const result = await clinic([
          'doctors',
          'timeoff',
          'add',
          doctor.username,
          '--from',
          `${from}T08:00`,
          '--to',
          `${from}T08:30`,
          '--reason',
          value,
          '--json',
        ]);
        return {
          result,
          readBack: async () => {
            const id = result.json<{ id: string }>().id;
            return (await clinic(['doctors', 'timeoff', 'list', doctor.username, '--json']))
              .json<Array<{ id: string; reason: string | null }>>()
              .find((t) => t.id === id)?.reason;
          },
        };
      },
    },
  ];

  beforeAll(async () => {
    await storeInitialTimeZone(db().knex, 'UTC');
    admin = await makeAdmin(db().knex);
    doctor = await makeDoctor(db().knex, { username: 'hostile.dr' });
    patient = await makePatient(db().knex, { username: 'hostile.pat', doctors: [doctor] });
  });

  for (const field of FIELDS) {
    it(`${field.name}: exit 3 or a byte-exact round trip for each of ${HOSTILE.length} hostile strings`, async () => {
      const tally: Record<string, number> = (outcomes[field.name] = {});
      for (const [label, value] of HOSTILE) {
        const { result, readBack } = await field.store(value);
        tally[label] = result.code;
        const context = `${field.name} / ${label}: exit ${result.code}\n${result.stderr.slice(0, 500)}`;
        // a value that starts with a dash is taken by Commander as a flag: a usage error (2) naming it
        expect(label === 'leading dash' ? [0, 2, 3] : [0, 3], context).toContain(result.code);
        expect(result.stderr, context).not.toMatch(STACK_FRAME);
        if (result.code === 2) continue;
        if (result.code === 0) {
          const back = await readBack!();
          const expected = field.blankMeansNone && value.trim() === '' ? null : value;
          expect(back === expected, `${context}\nread back ${JSON.stringify(back)?.slice(0, 200)}`).toBe(true);
        } else {
          expect(result.stdout, context).toBe('');
          expect(JSON.parse(result.stderr).error.code, context).toBe('INVALID_INPUT');
        }
      }
    });
  }

  it('search: any hostile text is a plain search (exit 0 or 3), never SQL; the tables survive', async () => {
    const before = await db().knex('users').count<{ n: string }[]>({ n: '*' });
    for (const [label, value] of HOSTILE) {
      for (const args of [
        ['patients', 'list', '--search', value, '--json'],
        ['doctors', 'list', '--specialty', value, '--json'],
      ]) {
        const result = await clinic(args);
        const context = `${args[0]} ${label}: exit ${result.code}\n${result.stderr.slice(0, 300)}`;
        expect(label === 'leading dash' ? [0, 2, 3] : [0, 3], context).toContain(result.code);
        expect(result.stderr, context).not.toMatch(STACK_FRAME);
        if (result.code === 0) expect(Array.isArray(result.json()), context).toBe(true);
      }
    }
    expect(await db().knex('users').count<{ n: string }[]>({ n: '*' })).toEqual(before);
    const injected = await clinic(['patients', 'list', '--search', "q' OR 'q'='q", '--json']);
    expect(injected.code).toBe(0);
    expect(injected.json()).toEqual([]);
  });

  it('search ignores accents whatever the Unicode normalisation (NFC and NFD names found by either)', async () => {
    const nfc = 'Ren\u00e9e Zo\u00eb Accentt\u00e9st';
    const nfd = 'Rene\u0301e Zoe\u0308 Accentte\u0301st';
    expect((await clinic(['patients', 'add', '--username', 'norm.nfc', '--name', nfc])).code).toBe(0);
    expect((await clinic(['patients', 'add', '--username', 'norm.nfd', '--name', nfd])).code).toBe(0);
    for (const query of ['accenttest', 'Accentt\u00e9st', 'Accentte\u0301st', 'RENEE']) {
      const result = await clinic(['patients', 'list', '--search', query, '--json']);
      expect(result.code, result.stderr).toBe(0);
      expect(
        result
          .json<Array<{ username: string }>>()
          .map((p) => p.username)
          .sort(),
        `search ${JSON.stringify(query)}`,
      ).toEqual(['norm.nfc', 'norm.nfd']);
    }
  });

  it('usernames: hostile strings are refused as invalid input', async () => {
    for (const [label, value] of HOSTILE) {
      const result = await clinic(['patients', 'add', '--username', value, '--name', 'Someone', '--json']);
      const context = `${label}: exit ${result.code}\n${result.stderr.slice(0, 300)}`;
      // '--json' as a username is taken by Commander as the flag: a usage error (2)
      expect(label === 'leading dash' ? [2, 3] : [3], context).toContain(result.code);
      expect(result.stderr, context).not.toMatch(STACK_FRAME);
    }
  });

  // "exit 3 or a round trip" alone would let a field refuse everything: text that a clinic's
  // records legitimately hold, however hostile it looks, must be stored by every field.
  it('every field stores the legitimate text among them (quotes, shell characters, scripts, emoji, both normalisations)', () => {
    const legitimate = [
      'SQL injection',
      'SQL comment and quote',
      'shell metacharacters',
      'Hebrew and Arabic',
      'emoji with ZWJ and skin tone',
      'NFC',
      'NFD',
      'format string',
      'JSON breaker',
    ];
    expect(Object.keys(outcomes).sort()).toEqual(FIELDS.map((f) => f.name).sort());
    for (const field of FIELDS) {
      const refused = legitimate.filter((label) => outcomes[field.name]![label] !== 0);
      expect(refused, `${field.name} refused legitimate text (exit codes ${JSON.stringify(outcomes[field.name])})`).toEqual([]);
    }
  });
});
