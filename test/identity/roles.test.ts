import { beforeAll, expect, it } from 'vitest';
import type { Actor, Role } from '../../src/domain/policy.js';
import { makeAdmin, makeDoctor, makePatient, makeStaff, OTHER_PASSWORD } from '../support/factories.js';
import { describeBackends } from '../support/database.js';
import { runCli } from '../support/cli.js';

type Allowed = Role[];
const ADMIN: Allowed = ['admin'];
const EVERYONE: Allowed = ['admin', 'staff', 'doctor', 'patient'];

/**
 * DESIGN §6, first row: users, tokens of others, settings changes and the audit log are the
 * admin's; anyone may read settings and manage their own tokens. `{role}` is the acting role and
 * `{target}` a staff account that is not the actor.
 */
const TABLE: ReadonlyArray<readonly [string, Allowed, string?]> = [
  ['users create --username new-{role} --name New --role staff', ADMIN],
  ['users list', ADMIN],
  ['users show {target}', ADMIN],
  ['users update {target} --name Renamed', ADMIN],
  ['users disable {target}', ADMIN],
  ['users enable {target}', ADMIN],
  ['users passwd {target} --password-stdin', ADMIN, `${OTHER_PASSWORD}\n`],
  ['tokens create --name mine', EVERYONE],
  ['tokens list', EVERYONE],
  ['tokens create --name theirs --user {target}', ADMIN],
  ['tokens list --user {target}', ADMIN],
  ['audit list', ADMIN],
  ['settings show', EVERYONE],
  ['settings set session-idle-minutes 60', ADMIN],
];

describeBackends('roles × identity commands', (db) => {
  const actors = {} as Record<Role, Actor>;
  let target: Actor;

  beforeAll(async () => {
    actors.admin = await makeAdmin(db().knex);
    actors.staff = await makeStaff(db().knex);
    actors.doctor = await makeDoctor(db().knex);
    actors.patient = await makePatient(db().knex);
    target = await makeStaff(db().knex);
  });

  for (const role of ['admin', 'staff', 'doctor', 'patient'] as const) {
    for (const [command, allowed, stdin] of TABLE) {
      const expected = allowed.includes(role) ? 0 : 5;
      it(`${role}: clinic ${command} → exit ${expected}`, async () => {
        const args = command.replaceAll('{role}', role).replaceAll('{target}', target.username).split(' ');
        const before = await db().knex('audit_log').where({ outcome: 'denied', actor_id: actors[role].id }).count<{ n: number }[]>({ n: '*' });
        const result = await runCli(args, { database: db().database, actor: actors[role], ...(stdin ? { stdin } : {}) });
        expect(result.code, result.stderr).toBe(expected);
        const after = await db().knex('audit_log').where({ outcome: 'denied', actor_id: actors[role].id }).count<{ n: number }[]>({ n: '*' });
        // every denial leaves exactly one audit row
        expect(Number(after[0]!.n) - Number(before[0]!.n)).toBe(expected === 5 ? 1 : 0);
      });
    }
  }
});
