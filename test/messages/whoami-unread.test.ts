import { beforeAll, expect, it } from 'vitest';
import { makePatient, makeStaff, PASSWORD, type MadeUser } from '../support/factories.js';
import { describeBackends } from '../support/database.js';
import { configHome, terminal } from '../identity/helpers.js';

describeBackends('whoami counts unread messages', (db) => {
  const env = configHome();
  const cli = terminal(() => db().database, env);
  let staff: MadeUser;
  let patient: MadeUser;

  beforeAll(async () => {
    staff = await makeStaff(db().knex);
    patient = await makePatient(db().knex, { password: PASSWORD });
  });

  it('shows the number of unread messages, and it drops when one is read', async () => {
    const login = await cli(['login', '--username', patient.username, '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect((await cli(['whoami', '--json'])).json()).toMatchObject({ username: patient.username, unreadMessages: 0 });

    const ids: string[] = [];
    for (const body of ['first', 'second']) {
      const sent = await cli(['messages', 'send', '--to', patient.username, '--body', body, '--json'], { actor: staff });
      expect(sent.code, sent.stderr).toBe(0);
      ids.push(sent.json<{ id: string }>().id);
    }
    expect((await cli(['whoami', '--json'])).json()).toMatchObject({ unreadMessages: 2 });
    expect((await cli(['whoami'])).stdout).toMatch(/unread messages\s+2/);

    expect((await cli(['messages', 'read', ids[0]!])).code).toBe(0);
    expect((await cli(['whoami', '--json'])).json()).toMatchObject({ unreadMessages: 1 });
  });
});
