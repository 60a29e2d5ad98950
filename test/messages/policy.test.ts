import { beforeAll, describe, expect, it } from 'vitest';
import { findReceivers } from '../../src/domain/messages/service.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAdmin, makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';

/**
 * DESIGN §6 "messages", role × kind of receiver. "own" means the doctor has the patient on their
 * panel; "other" means they do not.
 */
type Sender = 'admin' | 'staff' | 'doctor' | 'patient';
type Receiver = 'admin' | 'staff' | 'own doctor' | 'other doctor' | 'own patient' | 'other patient';

const allowed: Record<Sender, Record<Receiver, boolean>> = {
  admin: { admin: true, staff: true, 'own doctor': true, 'other doctor': true, 'own patient': true, 'other patient': true },
  staff: { admin: true, staff: true, 'own doctor': true, 'other doctor': true, 'own patient': true, 'other patient': true },
  doctor: { admin: true, staff: true, 'own doctor': false, 'other doctor': false, 'own patient': true, 'other patient': false },
  patient: { admin: false, staff: true, 'own doctor': true, 'other doctor': false, 'own patient': false, 'other patient': false },
};

const cases = (Object.keys(allowed) as Sender[]).flatMap((sender) =>
  (Object.keys(allowed[sender]) as Receiver[]).map((receiver) => ({ sender, receiver, ok: allowed[sender][receiver] })),
);

describeBackends('who may message whom', (db) => {
  const senders = {} as Record<Sender, MadeUser>;
  const receivers = {} as Record<Sender, Record<Receiver, MadeUser>>;

  beforeAll(async () => {
    const knex = db().knex;
    senders.admin = await makeAdmin(knex);
    senders.staff = await makeStaff(knex);
    senders.doctor = await makeDoctor(knex);
    senders.patient = await makePatient(knex);
    // Each sender gets its own receivers, so that "own" is relative to that sender.
    for (const sender of Object.keys(senders) as Sender[]) {
      // For a doctor sender, "own doctor" is simply a colleague: doctors do not message doctors.
      const doctorOfSender = await makeDoctor(knex);
      if (sender === 'patient') await knex('doctor_patients').insert({ doctor_id: doctorOfSender.id, patient_id: senders.patient.id });
      const panelDoctor = sender === 'doctor' ? senders.doctor : doctorOfSender;
      receivers[sender] = {
        admin: await makeAdmin(knex),
        staff: await makeStaff(knex),
        'own doctor': doctorOfSender,
        'other doctor': await makeDoctor(knex),
        'own patient': await makePatient(knex, { doctors: [panelDoctor] }),
        // on some other doctor's panel, not on the sender's
        'other patient': await makePatient(knex, { doctors: [await makeDoctor(knex)] }),
      };
    }
  });

  describe.each(cases)('$sender → $receiver', ({ sender, receiver, ok }) => {
    // A patient the sender may not write to is one they may not see: "no user", as for an unknown name.
    const hidden = receiver.endsWith('patient');
    it(ok ? 'is allowed (exit 0) and audited' : `is ${hidden ? 'not found (exit 6)' : 'forbidden (exit 5)'}, audited as denied, nothing stored`, async () => {
      const from = senders[sender];
      const to = receivers[sender][receiver];
      const before = await db().knex('messages').where({ sender_id: from.id, receiver_id: to.id }).count<{ n: string }[]>({ n: '*' });
      const result = await runCli(['messages', 'send', '--to', to.username, '--body', `hello ${receiver}`, '--json'], { database: db().database, actor: from });
      const after = await db().knex('messages').where({ sender_id: from.id, receiver_id: to.id }).count<{ n: string }[]>({ n: '*' });
      const audit = await db()
        .knex('audit_log')
        .where({ action: 'messages.send', actor_id: from.id })
        .where((q) => q.whereRaw("details->>'receiverId' = ?", [to.id]).orWhere({ entity: 'user', entity_id: to.id }));
      if (ok) {
        expect(result.code, result.stderr).toBe(0);
        expect(result.json()).toMatchObject({ sender: from.username, receiver: to.username, content: `hello ${receiver}` });
        expect(Number(after[0]!.n) - Number(before[0]!.n)).toBe(1);
        expect(audit.map((row) => row.outcome)).toEqual(['success']);
      } else {
        expect(result.code, result.stderr).toBe(hidden ? 6 : 5);
        expect(result.stdout).toBe('');
        expect(JSON.parse(result.stderr).error.code).toBe(hidden ? 'NOT_FOUND' : 'FORBIDDEN');
        expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
        expect(audit.map((row) => row.outcome)).toEqual(['denied']);
      }
    });
  });

  describe.each(Object.keys(allowed) as Sender[])('the receivers %s is offered to pick from', (sender) => {
    it('are exactly those the sender may write to, never the sender, and their count is the list', async () => {
      const ctx = db().context(senders[sender]);
      const offered = await findReceivers(ctx, { limit: 10_000 });
      const names = new Set(offered.items.map((receiver) => receiver.username));
      expect(offered.total).toBe(offered.items.length);
      expect(names.has(senders[sender].username)).toBe(false);
      for (const [receiver, user] of Object.entries(receivers[sender])) expect(names.has(user.username), receiver).toBe(allowed[sender][receiver as Receiver]);
      // Searched for by name, one the sender may not write to is not there, and not counted.
      for (const [receiver, user] of Object.entries(receivers[sender])) {
        const found = await findReceivers(ctx, { search: user.fullName, limit: 10 });
        expect(
          found.items.map((item) => item.username),
          receiver,
        ).toEqual(allowed[sender][receiver as Receiver] ? [user.username] : []);
        expect(found.total, receiver).toBe(allowed[sender][receiver as Receiver] ? 1 : 0);
      }
    });
  });

  it('offers no disabled account, and says how many match beyond a short list', async () => {
    const staff = await makeStaff(db().knex);
    await db().knex('users').where({ id: staff.id }).update({ status: 'disabled' });
    const offered = await findReceivers(db().context(senders.admin), { limit: 10_000 });
    expect(offered.items.map((receiver) => receiver.username)).not.toContain(staff.username);
    const page = await findReceivers(db().context(senders.admin), { limit: 3 });
    expect(page.items).toHaveLength(3);
    expect(page.total).toBe(offered.total);
  });

  it('files the audit row of a patient conversation under the patient', async () => {
    const row = await db().knex('audit_log').where({ action: 'messages.send', actor_id: senders.patient.id, outcome: 'success' }).first();
    expect(row.patient_id).toBe(senders.patient.id);
  });

  it('stops a doctor writing to a patient once the patient leaves their panel', async () => {
    const doctor = await makeDoctor(db().knex);
    const patient = await makePatient(db().knex, { doctors: [doctor] });
    const first = await runCli(['messages', 'send', '--to', patient.username, '--body', 'see you'], { database: db().database, actor: doctor });
    expect(first.code).toBe(0);
    await db().knex('doctor_patients').where({ doctor_id: doctor.id, patient_id: patient.id }).delete();
    const second = await runCli(['messages', 'send', '--to', patient.username, '--body', 'see you'], { database: db().database, actor: doctor });
    expect(second.code).toBe(6);
    const reply = await runCli(['messages', 'send', '--to', doctor.username, '--body', 'thanks'], { database: db().database, actor: patient });
    expect(reply.code).toBe(5);
  });
});
