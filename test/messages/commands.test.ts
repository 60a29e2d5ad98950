import { beforeAll, describe, expect, it } from 'vitest';
import { countUnreadMessages } from '../../src/domain/messages/service.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAdmin, makeDoctor, makeMessage, makePatient, makeStaff, uniqueName, type MadeUser } from '../support/factories.js';

interface MessageJson {
  id: string;
  senderId: string;
  receiverId: string;
  sender: string;
  receiver: string;
  content: string;
  createdAt: string;
  readAt: string | null;
}

const TRICKY_BODIES: Record<string, string> = {
  emoji: 'Bonjour 👋🏽 — café, naïve, 日本語, 👨‍👩‍👧‍👦',
  rtl: 'שלום, מה שלומך? مرحبا بك',
  newlines: 'line one\nline two\n\nline four',
  crlf: 'windows\r\nline\r\n',
  quotes: `it's "quoted" \`back\` and \\backslash\\`,
  sql: "'); DROP TABLE messages; -- and ' OR '1'='1",
  spaces: '   leading and trailing   ',
  tabs: '\tindented\ttext\t',
};

describeBackends('messages commands', (db) => {
  let staff: MadeUser;
  let admin: MadeUser;
  let doctor: MadeUser;
  let patient: MadeUser;
  let otherPatient: MadeUser;
  const cli = (actor: MadeUser | null, args: string[], options: { stdin?: string; tty?: boolean } = {}) =>
    runCli(['messages', ...args], { database: db().database, actor, ...options });
  const send = async (from: MadeUser, to: MadeUser, body: string): Promise<MessageJson> => {
    const result = await cli(from, ['send', '--to', to.username, '--body', body, '--json']);
    expect(result.code, result.stderr).toBe(0);
    return result.json<MessageJson>();
  };

  beforeAll(async () => {
    const knex = db().knex;
    staff = await makeStaff(knex);
    admin = await makeAdmin(knex);
    doctor = await makeDoctor(knex);
    patient = await makePatient(knex, { doctors: [doctor] });
    otherPatient = await makePatient(knex, { doctors: [doctor] });
  });

  describe('send', () => {
    it('returns the message with exactly the DESIGN §5 fields', async () => {
      const message = await send(patient, doctor, 'Can I move my appointment?');
      expect(Object.keys(message)).toEqual(['id', 'senderId', 'receiverId', 'sender', 'receiver', 'content', 'createdAt', 'readAt']);
      expect(message).toMatchObject({ senderId: patient.id, receiverId: doctor.id, sender: patient.username, receiver: doctor.username, readAt: null });
      expect(new Date(message.createdAt).toISOString()).toBe(message.createdAt);
    });

    it('prints the new id on stdout and a confirmation on stderr without --json', async () => {
      const result = await cli(staff, ['send', '--to', patient.username, '--body', 'Your results are in.']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
      expect(result.stderr).toContain(`to ${patient.username}`);
      const stored = await db().knex('messages').where({ id: result.stdout.trim() }).first();
      expect(stored.content).toBe('Your results are in.');
    });

    it('names the receiver by id as well as by username', async () => {
      const result = await cli(staff, ['send', '--to', doctor.id, '--body', 'by id', '--json']);
      expect(result.code).toBe(0);
      expect(result.json<MessageJson>().receiver).toBe(doctor.username);
    });

    it.each(Object.entries(TRICKY_BODIES))('keeps a %s body byte for byte through --body and --json', async (_kind, body) => {
      const sent = await send(staff, patient, body);
      expect(sent.content).toBe(body);
      const read = await cli(patient, ['read', sent.id, '--json']);
      expect(read.code).toBe(0);
      expect(read.json<MessageJson>().content).toBe(body);
      const stored = await db().knex('messages').where({ id: sent.id }).first();
      expect(Buffer.from(stored.content, 'utf8').equals(Buffer.from(body, 'utf8'))).toBe(true);
    });

    it.each(Object.entries(TRICKY_BODIES))('keeps a %s body from stdin, less the one line break a shell adds', async (_kind, body) => {
      const result = await cli(staff, ['send', '--to', patient.username, '--json'], { stdin: `${body}\n` });
      expect(result.code, result.stderr).toBe(0);
      const read = await cli(patient, ['read', result.json<MessageJson>().id, '--json']);
      expect(read.json<MessageJson>().content).toBe(body);
    });

    it('strips only ONE trailing line break (LF or CRLF) from stdin', async () => {
      const cases: Array<[string, string]> = [
        ['two\n\n', 'two\n'],
        ['crlf\r\n', 'crlf'],
        ['no break', 'no break'],
        ['inner\nbreak\n', 'inner\nbreak'],
      ];
      for (const [stdin, expected] of cases) {
        const result = await cli(staff, ['send', '--to', patient.username, '--json'], { stdin });
        expect(result.code, result.stderr).toBe(0);
        expect(result.json<MessageJson>().content).toBe(expected);
      }
    });

    it.each([
      ['empty --body', ['--body', ''], undefined],
      ['whitespace-only --body', ['--body', ' \t\n '], undefined],
      ['empty stdin', [], ''],
      ['a lone newline on stdin', [], '\n'],
    ])('rejects an %s with exit 3', async (_case, extra, stdin) => {
      const before = await db().knex('messages').count<{ n: string }[]>({ n: '*' });
      const result = await cli(staff, ['send', '--to', patient.username, ...extra], stdin === undefined ? {} : { stdin });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/empty/);
      const after = await db().knex('messages').count<{ n: string }[]>({ n: '*' });
      expect(after[0]!.n).toEqual(before[0]!.n);
    });

    it('accepts 10,000 characters (counting an emoji as one) and rejects 10,001 with exit 3', async () => {
      const longest = '😀'.repeat(10_000);
      expect((await send(staff, patient, longest)).content).toBe(longest);
      const tooLong = await cli(staff, ['send', '--to', patient.username], { stdin: `${'a'.repeat(10_001)}\n` });
      expect(tooLong.code).toBe(3);
      expect(tooLong.stderr).toContain('10,001 characters');
      expect(tooLong.stderr).not.toContain('aaaaaaaaaa');
    });

    it('rejects a NUL character with exit 3 instead of a database error', async () => {
      const result = await cli(staff, ['send', '--to', patient.username, '--body', 'a\u0000b']);
      expect(result.code).toBe(3);
    });

    it('on a terminal with --no-input and no --body, is a usage error naming --body', async () => {
      const result = await cli(staff, ['send', '--to', patient.username, '--no-input'], { tty: true });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--body');
    });

    it('exits 6 for an unknown receiver', async () => {
      const result = await cli(staff, ['send', '--to', 'nobody-here', '--body', 'hi', '--json']);
      expect(result.code).toBe(6);
      expect(JSON.parse(result.stderr).error.code).toBe('NOT_FOUND');
    });

    it('exits 7 for a disabled receiver and stores nothing', async () => {
      const gone = await makeStaff(db().knex);
      await db().knex('users').where({ id: gone.id }).update({ status: 'disabled' });
      const result = await cli(admin, ['send', '--to', gone.username, '--body', 'hi']);
      expect(result.code).toBe(7);
      expect(result.stderr).toContain('disabled');
      expect(await db().knex('messages').where({ receiver_id: gone.id })).toHaveLength(0);
    });

    it('exits 5, not 7, when the sender may not write to the disabled account anyway', async () => {
      const gone = await makeAdmin(db().knex);
      await db().knex('users').where({ id: gone.id }).update({ status: 'disabled' });
      const result = await cli(patient, ['send', '--to', gone.username, '--body', 'hi']);
      expect(result.code).toBe(5);
    });

    it('refuses a message to oneself with exit 3', async () => {
      const result = await cli(staff, ['send', '--to', staff.username, '--body', 'note to self']);
      expect(result.code).toBe(3);
    });

    it('needs a login (exit 4)', async () => {
      const result = await cli(null, ['send', '--to', patient.username, '--body', 'hi']);
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('clinic login');
    });
  });

  describe('inbox, sent, thread', () => {
    let alice: MadeUser;
    let bob: MadeUser;
    let carol: MadeUser;
    const ids: string[] = [];

    beforeAll(async () => {
      alice = await makeStaff(db().knex, { username: uniqueName('alice') });
      bob = await makeStaff(db().knex, { username: uniqueName('bob') });
      carol = await makeStaff(db().knex, { username: uniqueName('carol') });
      ids.push((await send(alice, bob, 'first from alice')).id);
      ids.push((await send(bob, alice, 'reply from bob')).id);
      ids.push((await send(alice, bob, `long ${'x'.repeat(200)} END-OF-LONG-BODY`)).id);
      ids.push((await send(carol, bob, 'from carol')).id);
    });

    it('inbox lists messages to me, newest first, as a JSON array', async () => {
      const result = await cli(bob, ['inbox', '--json']);
      expect(result.code).toBe(0);
      const messages = result.json<MessageJson[]>();
      expect(messages.map((m) => m.id)).toEqual([ids[3], ids[2], ids[0]]);
      expect(messages.every((m) => m.receiverId === bob.id)).toBe(true);
    });

    it('inbox --unread leaves out what I have read', async () => {
      expect((await cli(bob, ['read', ids[0]!])).code).toBe(0);
      const result = await cli(bob, ['inbox', '--unread', '--json']);
      expect(result.json<MessageJson[]>().map((m) => m.id)).toEqual([ids[3], ids[2]]);
      const all = await cli(bob, ['inbox', '--json']);
      expect(all.json<MessageJson[]>()).toHaveLength(3);
    });

    it('inbox as a table truncates long bodies', async () => {
      const result = await cli(bob, ['inbox']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('ID');
      expect(result.stdout).toContain(ids[2]!.slice(0, 8));
      expect(result.stdout).toContain('long xxx');
      expect(result.stdout).toContain('…');
      expect(result.stdout).not.toContain('END-OF-LONG-BODY');
    });

    it('an empty inbox is an empty JSON array, or a notice on stderr', async () => {
      const lonely = await makeStaff(db().knex);
      expect((await cli(lonely, ['inbox', '--json'])).json()).toEqual([]);
      const human = await cli(lonely, ['inbox', '--unread']);
      expect(human.code).toBe(0);
      expect(human.stdout).toBe('');
      expect(human.stderr).toContain('No unread messages.');
    });

    it('sent lists what I sent, newest first', async () => {
      const result = await cli(alice, ['sent', '--json']);
      expect(result.code).toBe(0);
      expect(result.json<MessageJson[]>().map((m) => m.id)).toEqual([ids[2], ids[0]]);
      const table = await cli(alice, ['sent']);
      expect(table.stdout).toContain(bob.username);
    });

    it('thread shows both directions between me and the other person, oldest first', async () => {
      const result = await cli(alice, ['thread', bob.username, '--json']);
      expect(result.code).toBe(0);
      expect(result.json<MessageJson[]>().map((m) => m.id)).toEqual([ids[0], ids[1], ids[2]]);
      const fromBobsSide = await cli(bob, ['thread', alice.id, '--json']);
      expect(fromBobsSide.json<MessageJson[]>().map((m) => m.id)).toEqual([ids[0], ids[1], ids[2]]);
      const table = await cli(bob, ['thread', carol.username]);
      expect(table.stdout).toContain('from carol');
      expect(table.stdout).not.toContain('alice');
    });

    it('thread does not mark messages read', async () => {
      const unread = await cli(bob, ['inbox', '--unread', '--json']);
      expect(unread.json<MessageJson[]>().map((m) => m.id)).toContain(ids[2]);
    });

    it('thread with an unknown user exits 6', async () => {
      expect((await cli(alice, ['thread', 'nobody-here'])).code).toBe(6);
    });
  });

  describe('read', () => {
    it('marks the message read when the receiver reads it, once', async () => {
      const message = await send(doctor, patient, 'Take two a day.');
      const sendersView = await cli(doctor, ['read', message.id, '--json']);
      expect(sendersView.code).toBe(0);
      expect(sendersView.json<MessageJson>().readAt).toBeNull();

      const first = await cli(patient, ['read', message.id, '--json']);
      expect(first.code).toBe(0);
      const readAt = first.json<MessageJson>().readAt;
      expect(readAt).not.toBeNull();
      const again = await cli(patient, ['read', message.id, '--json']);
      expect(again.json<MessageJson>().readAt).toBe(readAt);
      const stored = await db().knex('messages').where({ id: message.id }).first();
      expect(stored.read_at.toISOString()).toBe(readAt);

      const audits = await db().knex('audit_log').where({ action: 'messages.read', entity_id: message.id }).orderBy('id');
      expect(audits.map((row) => [row.actor_id, row.outcome, row.details.marked])).toEqual([
        [doctor.id, 'success', false],
        [patient.id, 'success', true],
        [patient.id, 'success', false],
      ]);
    });

    it('shows the whole body in human output, with control characters escaped', async () => {
      const body = `Dear patient,\n${'word '.repeat(40)}\nbye \u001b[31mred`;
      const message = await send(doctor, patient, body);
      const result = await cli(patient, ['read', message.id]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`From  ${doctor.username}`);
      expect(result.stdout).toContain(`Dear patient,\n${'word '.repeat(40)}\nbye \\x1b[31mred`);
      expect(result.stdout).not.toContain('\u001b');
    });

    it('accepts a unique prefix of 8 characters, in any case', async () => {
      const message = await send(staff, patient, 'prefix test');
      const result = await cli(patient, ['read', message.id.slice(0, 8).toUpperCase(), '--json']);
      expect(result.code).toBe(0);
      expect(result.json<MessageJson>().id).toBe(message.id);
    });

    it('rejects a prefix shorter than 8 characters, or not an id, with exit 3', async () => {
      const message = await send(staff, patient, 'short prefix');
      expect((await cli(patient, ['read', message.id.slice(0, 7)])).code).toBe(3);
      expect((await cli(patient, ['read', 'not-an-id!'])).code).toBe(3);
      expect((await cli(patient, ['read', "'; select 1 --"])).code).toBe(3);
    });

    it('rejects an ambiguous prefix with exit 3 and says so', async () => {
      const sharedPrefix = 'abcdef01';
      for (const suffix of ['1', '2']) {
        await makeMessage(db().knex, {
          id: `${sharedPrefix}-0000-4000-8000-00000000000${suffix}`,
          sender: staff,
          receiver: patient,
          content: `ambiguous ${suffix}`,
        });
      }
      const result = await cli(patient, ['read', sharedPrefix]);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('more than one');
      expect(result.stdout).toBe('');
      const exact = await cli(patient, ['read', `${sharedPrefix}-0000-4000-8000-000000000002`, '--json']);
      expect(exact.json<MessageJson>().content).toBe('ambiguous 2');
    });

    it('exits 6 for an id that matches nothing', async () => {
      const result = await cli(patient, ['read', '00000000-0000-4000-8000-000000000000']);
      expect(result.code).toBe(6);
    });

    it("gives a patient exit 6 and no content for someone else's message, and audits the attempt", async () => {
      const secret = `SECRET-${uniqueName('marker')}`;
      const message = await send(doctor, otherPatient, `Diagnosis: ${secret}`);
      for (const ref of [message.id, message.id.slice(0, 8)]) {
        for (const json of [false, true]) {
          const result = await cli(patient, ['read', ref, ...(json ? ['--json'] : [])]);
          expect(result.code).toBe(6);
          expect(result.stdout).toBe('');
          expect(result.stderr).not.toContain(secret);
          expect(result.stderr).not.toContain('Diagnosis');
          expect(result.stderr).not.toContain(doctor.username);
        }
      }
      // the same answer as for an id that does not exist at all
      const unknown = await cli(patient, ['read', '00000000-0000-4000-8000-000000000000']);
      expect(unknown.stderr.replace(/"[^"]*"/, 'X')).toBe((await cli(patient, ['read', message.id])).stderr.replace(/"[^"]*"/, 'X'));

      const stored = await db().knex('messages').where({ id: message.id }).first();
      expect(stored.read_at).toBeNull();
      const denied = await db().knex('audit_log').where({ action: 'messages.read', entity_id: message.id, outcome: 'denied', actor_id: patient.id });
      expect(denied).toHaveLength(5); // four reads above, one more for the comparison
      expect(denied[0].patient_id).toBe(otherPatient.id);
    });

    it('does not let staff or admin read messages they are not part of', async () => {
      const message = await send(doctor, patient, 'private');
      expect((await cli(admin, ['read', message.id])).code).toBe(6);
      expect((await cli(staff, ['read', message.id])).code).toBe(6);
    });
  });

  it('never writes the body into the audit log', async () => {
    const marker = `MARKER-${uniqueName('body')}-ZZ`;
    const message = await send(patient, doctor, `symptoms ${marker}`);
    expect((await cli(doctor, ['send', '--to', patient.username, '--json'], { stdin: `re: ${marker}\n` })).code).toBe(0);
    expect((await cli(doctor, ['read', message.id])).code).toBe(0);
    expect((await cli(otherPatient, ['read', message.id])).code).toBe(6);
    const rows = await db().knex.raw("SELECT a::text AS row FROM audit_log a WHERE a.action LIKE 'messages.%'");
    const texts: string[] = rows.rows.map((r: { row: string }) => r.row);
    expect(texts.some((text) => text.includes(message.id))).toBe(true);
    const hits = await db().knex.raw('SELECT count(*)::int AS n FROM audit_log a WHERE strpos(a::text, ?) > 0', [marker]);
    expect(hits.rows[0].n).toBe(0);
    const sendRow = await db().knex('audit_log').where({ action: 'messages.send', entity_id: message.id }).first();
    expect(sendRow.details).toMatchObject({ receiverId: doctor.id, length: `symptoms ${marker}`.length });
  });

  it('countUnreadMessages counts the unread messages of the logged-in user', async () => {
    const reader = await makeStaff(db().knex);
    const ctx = db().context(reader);
    expect(await countUnreadMessages(ctx)).toBe(0);
    const a = await send(admin, reader, 'one');
    await send(doctor, reader, 'two');
    await send(reader, admin, 'mine, not counted');
    expect(await countUnreadMessages(ctx)).toBe(2);
    await cli(reader, ['read', a.id]);
    expect(await countUnreadMessages(ctx)).toBe(1);
    await expect(countUnreadMessages(db().context(null))).rejects.toMatchObject({ code: 'NOT_AUTHENTICATED' });
  });
});
