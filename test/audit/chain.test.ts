import type { Knex } from 'knex';
import { beforeAll, expect, it } from 'vitest';
import { migrationConfig } from '../../src/db/migrations.js';
import { recordAudit } from '../../src/domain/audit/record.js';
import type { Actor } from '../../src/domain/policy.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAdmin, makeStaff } from '../support/factories.js';

interface Report {
  ok: boolean;
  rows: number;
  head?: string;
  firstBadRow?: number | null;
  position?: number;
  problem?: string;
  message?: string;
}

/**
 * Changes the log as a superuser would, with the table's triggers off, runs `check`, then puts
 * every row and the chain head back exactly as they were.
 */
async function tampered(knex: Knex, tamper: (knex: Knex) => Promise<unknown>, check: () => Promise<void>): Promise<void> {
  await knex.raw('CREATE TABLE audit_log_saved AS SELECT * FROM audit_log');
  await knex.raw('CREATE TABLE audit_log_chain_head_saved AS SELECT * FROM audit_log_chain_head');
  await knex.raw('ALTER TABLE audit_log DISABLE TRIGGER USER');
  try {
    await tamper(knex);
    await knex.raw('ALTER TABLE audit_log ENABLE TRIGGER USER');
    await check();
  } finally {
    await knex.raw('ALTER TABLE audit_log DISABLE TRIGGER USER');
    await knex.raw('DELETE FROM audit_log');
    await knex.raw('INSERT INTO audit_log OVERRIDING SYSTEM VALUE SELECT * FROM audit_log_saved');
    await knex.raw('UPDATE audit_log_chain_head SET seq = s.seq, hash = s.hash FROM audit_log_chain_head_saved s');
    await knex.raw('ALTER TABLE audit_log ENABLE TRIGGER USER');
    await knex.raw('DROP TABLE audit_log_saved, audit_log_chain_head_saved');
  }
}

describeBackends('audit hash chain', (db) => {
  let admin: Actor;
  let staff: Actor;
  const verify = (actor: Actor = admin, json = true) => runCli(['audit', 'verify', ...(json ? ['--json'] : [])], { database: db().database, actor });
  const rowAt = async (seq: number) => (await db().knex('audit_log').where({ seq }).first('id', 'seq')) as { id: string; seq: string };

  beforeAll(async () => {
    admin = await makeAdmin(db().knex);
    staff = await makeStaff(db().knex);
    for (let i = 0; i < 6; i++) await recordAudit(db().knex, staff, { action: 'patients.view', details: { n: i, note: 'é ✓' } });
  });

  it("stamps `at` with the database's clock, whatever the client sends", async () => {
    await db()
      .knex('audit_log')
      .insert({ action: 'backdated', outcome: 'success', at: new Date('2001-01-01T00:00:00Z') });
    const clock = (await db().knex.raw<{ rows: Array<{ now: Date }> }>('SELECT clock_timestamp() AS now')).rows[0]!.now;
    const row = await db().knex('audit_log').where({ action: 'backdated' }).first('at');
    expect(Math.abs(row.at.getTime() - clock.getTime())).toBeLessThan(60_000);
  });

  it('chains each row to the one before it, positions 1, 2, 3, … from the genesis hash', async () => {
    await db()
      .knex('audit_log')
      .insert({ action: 'client.chain.values', outcome: 'success', seq: 999, hash: Buffer.alloc(32, 1), prev_hash: Buffer.alloc(32, 2) });
    const rows = await db().knex('audit_log').orderBy('seq').select('seq', 'prev_hash', 'hash');
    expect(rows.map((row) => Number(row.seq))).toEqual(rows.map((_, i) => i + 1));
    expect(Buffer.from(rows[0].prev_hash).equals(Buffer.alloc(32))).toBe(true);
    for (let i = 1; i < rows.length; i++) expect(Buffer.from(rows[i].prev_hash).equals(Buffer.from(rows[i - 1].hash))).toBe(true);
    expect(new Set(rows.map((row) => Buffer.from(row.hash).toString('hex'))).size).toBe(rows.length);
  });

  it('keeps the chain a line when many transactions write at once', async () => {
    const before = Number((await db().knex('audit_log').count({ n: '*' }))[0]!.n);
    await Promise.all(
      Array.from({ length: db().backend === 'postgres' ? 20 : 5 }, (_, i) =>
        db().knex.transaction(async (trx) => {
          await recordAudit(trx, staff, { action: 'concurrent', details: { i } });
          await new Promise((resolve) => setTimeout(resolve, 5));
          await recordAudit(trx, staff, { action: 'concurrent', details: { i, second: true } });
        }),
      ),
    );
    const result = await verify();
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<Report>()).toMatchObject({ ok: true, rows: before + (db().backend === 'postgres' ? 40 : 10) });
  });

  it('`audit verify` exits 0 on an intact log, with the row count and the chain head', async () => {
    const result = await verify();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const report = result.json<Report>();
    const head = await db().knex('audit_log_chain_head').first('hash');
    expect(report).toEqual({ ok: true, rows: report.rows, head: Buffer.from(head.hash).toString('hex') });
    const human = await verify(admin, false);
    expect(human.stdout).toMatch(/^Audit log intact: \d+ rows, chain head [0-9a-f]{64}\.\n$/);
  });

  it('is for admins only (exit 5)', async () => {
    const result = await verify(staff);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
  });

  it('catches an altered row and names it (exit 9)', async () => {
    const victim = await rowAt(3);
    await tampered(
      db().knex,
      (knex) =>
        knex('audit_log')
          .where({ seq: 3 })
          .update({ details: JSON.stringify({ n: 2, note: 'rewritten' }) }),
      async () => {
        const result = await verify();
        expect(result.code, result.stderr).toBe(9);
        expect(result.json<Report>()).toMatchObject({ ok: false, firstBadRow: Number(victim.id), position: 3, problem: 'altered' });
        expect(JSON.parse(result.stderr).error).toMatchObject({ code: 'INTEGRITY' });
        const human = await verify(admin, false);
        expect(human.code).toBe(9);
        expect(human.stdout).toBe('');
        expect(human.stderr).toContain(`Audit row ${victim.id} (position 3) was altered`);
      },
    );
    expect((await verify()).code).toBe(0);
  });

  it('catches a backdated row whose own hash was recomputed: the next row no longer follows it', async () => {
    const next = await rowAt(3);
    await tampered(
      db().knex,
      async (knex) => {
        await knex.raw("UPDATE audit_log SET at = '2001-01-01' WHERE seq = 2");
        await knex.raw('UPDATE audit_log a SET hash = audit_log_row_hash(a.prev_hash, a) WHERE seq = 2');
      },
      async () => {
        const result = await verify();
        expect(result.code).toBe(9);
        expect(result.json<Report>()).toMatchObject({ ok: false, firstBadRow: Number(next.id), position: 3, problem: 'out-of-order' });
      },
    );
  });

  it('catches a deleted row: the row after the gap is named', async () => {
    const after = await rowAt(5);
    await tampered(
      db().knex,
      (knex) => knex('audit_log').where({ seq: 4 }).delete(),
      async () => {
        const result = await verify();
        expect(result.code).toBe(9);
        expect(result.json<Report>()).toMatchObject({ ok: false, firstBadRow: Number(after.id), position: 5, problem: 'missing' });
      },
    );
  });

  it('catches rows deleted from the end, against the chain head', async () => {
    const last = Number((await db().knex('audit_log_chain_head').first('seq')).seq);
    await tampered(
      db().knex,
      (knex) =>
        knex('audit_log')
          .where('seq', '>', last - 2)
          .delete(),
      async () => {
        const result = await verify();
        expect(result.code).toBe(9);
        expect(result.json<Report>()).toMatchObject({ ok: false, firstBadRow: null, position: last - 1, problem: 'missing' });
      },
    );
  });

  it('catches a row inserted out of order, even one that links to the last row', async () => {
    const last = await db().knex('audit_log').orderBy('seq', 'desc').first('seq', 'hash');
    const first = await db().knex('audit_log').orderBy('seq').first('hash');
    await tampered(
      db().knex,
      async (knex) => {
        // Linked to the first row but placed at the end.
        await knex.raw(
          "INSERT INTO audit_log (at, action, outcome, seq, prev_hash, hash) VALUES (now(), 'forged', 'success', ?, ?, decode(repeat('ab', 32), 'hex'))",
          [Number(last.seq) + 1, first.hash],
        );
        await knex.raw("UPDATE audit_log a SET hash = audit_log_row_hash(a.prev_hash, a) WHERE action = 'forged'");
      },
      async () => {
        const forged = await db().knex('audit_log').where({ action: 'forged' }).first('id');
        const result = await verify();
        expect(result.code).toBe(9);
        expect(result.json<Report>()).toMatchObject({ ok: false, firstBadRow: Number(forged.id), position: Number(last.seq) + 1, problem: 'out-of-order' });
      },
    );
    await tampered(
      db().knex,
      async (knex) => {
        // Correctly linked to the last row, but added behind the chain head's back.
        await knex.raw("INSERT INTO audit_log (at, action, outcome, seq, prev_hash, hash) VALUES (now(), 'forged', 'success', ?, ?, ?)", [
          Number(last.seq) + 1,
          last.hash,
          Buffer.alloc(32),
        ]);
        await knex.raw("UPDATE audit_log a SET hash = audit_log_row_hash(a.prev_hash, a) WHERE action = 'forged'");
      },
      async () => {
        const result = await verify();
        expect(result.code).toBe(9);
        expect(result.json<Report>()).toMatchObject({ ok: false, position: Number(last.seq) + 1, problem: 'out-of-order' });
        expect(result.json<Report>().message).toMatch(/added outside the chain/);
      },
    );
    expect((await verify()).code).toBe(0);
  });

  it('chains the rows that exist when the migration runs (in id order, `at` kept), and its down is reversible', async () => {
    const knex = db().knex;
    const config = { ...migrationConfig, name: '20261201090000_chain_audit_log' };
    await knex.migrate.down(config);
    const columns = await knex.raw<{ rows: unknown[] }>(
      "SELECT 1 FROM information_schema.columns WHERE table_name = 'audit_log' AND column_name IN ('seq', 'hash', 'prev_hash')",
    );
    expect(columns.rows).toHaveLength(0);
    await expect(knex('audit_log').where({ action: 'backdated' }).delete()).rejects.toThrow(/append-only/);
    await knex('audit_log').insert({ action: 'before.chain', outcome: 'success', at: new Date('2020-05-05T05:05:05.123Z') });
    const count = Number((await knex('audit_log').count({ n: '*' }))[0]!.n);
    await knex.migrate.up(config);
    const kept = await knex('audit_log').where({ action: 'before.chain' }).first('at', 'seq');
    expect(kept.at.toISOString()).toBe('2020-05-05T05:05:05.123Z');
    expect(Number(kept.seq)).toBe(count);
    const ids = (await knex('audit_log').orderBy('seq').select('id')).map((row) => Number(row.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const result = await verify();
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<Report>()).toMatchObject({ ok: true, rows: count });
  });
});
