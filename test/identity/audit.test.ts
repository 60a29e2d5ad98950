import { beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { recordAudit } from '../../src/domain/audit/record.js';
import { makeAdmin, makePatient, makeStaff } from '../support/factories.js';
import { describeBackends } from '../support/database.js';
import { runCli } from '../support/cli.js';

const AUDIT_FIELDS = ['id', 'at', 'actorId', 'actor', 'action', 'entity', 'entityId', 'patientId', 'outcome', 'details'];

describeBackends('audit log', (db) => {
  let admin: Actor;
  let staff: Actor;
  let patientId: string;
  const list = (args: string[], actor: Actor = admin) => runCli(['audit', 'list', ...args, '--json'], { database: db().database, actor });

  beforeAll(async () => {
    admin = await makeAdmin(db().knex);
    staff = await makeStaff(db().knex);
    const patient = await makePatient(db().knex);
    patientId = patient.id;
    await recordAudit(db().knex, staff, { action: 'patients.view', entity: 'patient', entityId: patient.id, patientId: patient.id });
    await runCli(['users', 'create', '--username', 'audited', '--name', 'Audited', '--role', 'staff'], { database: db().database, actor: admin });
    await runCli(['users', 'list'], { database: db().database, actor: staff });
  });

  it('is append-only in the database: UPDATE and DELETE fail', async () => {
    const [row] = await db().knex('audit_log').select('id').limit(1);
    await expect(db().knex('audit_log').where({ id: row.id }).update({ action: 'tampered' })).rejects.toThrow(/append-only/);
    await expect(db().knex('audit_log').where({ id: row.id }).delete()).rejects.toThrow(/append-only/);
    expect(await db().knex('audit_log').where({ action: 'tampered' })).toHaveLength(0);
  });

  it('lists newest first with exactly the audit entry fields', async () => {
    const result = await list([]);
    expect(result.code).toBe(0);
    const entries = result.json<Array<Record<string, unknown> & { id: number }>>();
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const entry of entries) expect(Object.keys(entry)).toEqual(AUDIT_FIELDS);
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((a, b) => b - a));
    expect(entries[0]).toMatchObject({ actor: staff.username, action: 'users.manage', outcome: 'denied' });
  });

  it('filters by actor, action (exact or prefix), patient, since and limit', async () => {
    const byActor = (await list(['--actor', staff.username])).json<Array<{ actor: string }>>();
    expect(byActor.length).toBe(2);
    expect(byActor.every((e) => e.actor === staff.username)).toBe(true);
    const created = (await list(['--action', 'users.create'])).json<Array<{ action: string; details: { username: string } }>>();
    expect(created.map((e) => e.details.username)).toEqual(['audited']);
    const prefix = (await list(['--action', 'users.*'])).json<Array<{ action: string }>>();
    expect(new Set(prefix.map((e) => e.action))).toEqual(new Set(['users.create', 'users.manage']));
    const byPatient = (await list(['--patient', patientId])).json<Array<{ patientId: string }>>();
    expect(byPatient).toHaveLength(1);
    expect((await list(['--since', '2999-01-01'])).json()).toEqual([]);
    expect((await list(['--since', '2000-01-01', '--limit', '1'])).json()).toHaveLength(1);
    expect((await list(['--since', 'yesterday-ish'])).code).toBe(3);
    expect((await list(['--limit', '0'])).code).toBe(3);
  });

  it('is for admins only (exit 5)', async () => {
    expect((await list([], staff)).code).toBe(5);
  });
});
