import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { serverStatus, stopServer } from '../../src/db/server/client.js';
import { serverPaths } from '../../src/db/server/paths.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { spawnClinic, until } from '../support/spawn.js';

/** The embedded server (src/db/server): many clients on one PGlite, and what happens when one of them dies. */
describe('embedded database server', () => {
  let db: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('embedded');
    if (db.target.backend !== 'embedded') throw new Error('embedded only');
    dataDir = db.target.dataDir;
    await db.knex.raw('CREATE TABLE server_probe (id serial PRIMARY KEY, tag text NOT NULL, n integer NOT NULL)');
  });

  afterAll(async () => {
    await db.drop();
  });

  function client(): pg.Client {
    return new pg.Client({ host: serverPaths(dataDir).runDir, port: 5432, user: 'postgres', database: 'postgres' });
  }

  it('answers each of many concurrent clients with its own results (extended protocol batches never interleave)', async () => {
    const clients = Array.from({ length: 6 }, client);
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const answers = await Promise.all(
        clients.map(async (c, who) => {
          const seen: string[] = [];
          for (let i = 0; i < 40; i++) {
            const { rows } = await c.query<{ v: string }>('SELECT $1::text || repeat($2::text, $3::int) AS v', [`${who}:${i}:`, 'x', i % 7]);
            seen.push(rows[0]!.v);
          }
          return seen;
        }),
      );
      answers.forEach((seen, who) => expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => `${who}:${i}:${'x'.repeat(i % 7)}`)));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it("keeps a transaction to itself: another client's statements wait until it ends, and see only what it committed", async () => {
    const [a, b] = [client(), client()];
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query('BEGIN');
      await a.query("INSERT INTO server_probe (tag, n) VALUES ('tx', 1)");
      let bAnswered = false;
      const bCount = b.query<{ count: string }>("SELECT count(*) FROM server_probe WHERE tag = 'tx'").then((result) => {
        bAnswered = true;
        return Number(result.rows[0]!.count);
      });
      await sleep(300);
      expect(bAnswered).toBe(false);
      await a.query("INSERT INTO server_probe (tag, n) VALUES ('tx', 2)");
      await a.query('ROLLBACK');
      expect(await bCount).toBe(0);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('serves the clients waiting for a transaction first come, first served (not in the order they connected)', async () => {
    const [holder, late, early] = [client(), client(), client()];
    for (const c of [holder, late, early]) await c.connect();
    try {
      await holder.query('BEGIN');
      const order: string[] = [];
      const first = early.query('SELECT 1').then(() => order.push('first'));
      await sleep(100);
      const second = late.query('SELECT 2').then(() => order.push('second'));
      await sleep(100);
      await holder.query('COMMIT');
      await Promise.all([first, second]);
      expect(order).toEqual(['first', 'second']);
    } finally {
      await Promise.all([holder.end(), late.end(), early.end()]);
    }
  });

  it('runs messages sent in one piece (pipelined) in order: an error skips only to its Sync, Terminate after them closes', async () => {
    const other = client();
    await other.connect();
    const socket = net.connect(path.join(serverPaths(dataDir).runDir, '.s.PGSQL.5432'));
    const received: Buffer[] = [];
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('data', (data: Buffer) => received.push(data));
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(startupMessage({ user: 'postgres', database: 'postgres' }));
      await until(() => messagesOf(Buffer.concat(received)).some((m) => m.type === 'Z'), 10_000, 'the startup answer');
      received.length = 0;
      socket.write(
        Buffer.concat([
          ...extendedQuery('SELECT 1 / 0'),
          ...extendedQuery("SELECT 'after the error'"),
          frontend('Q', cString("SELECT 'simple'")),
          frontend('X', Buffer.alloc(0)),
        ]),
      );
      // Another client's statement meanwhile is answered too.
      expect((await other.query<{ v: number }>('SELECT 5 AS v')).rows[0]!.v).toBe(5);
      await closed;
      const answer = messagesOf(Buffer.concat(received));
      // The failing statement fails at Bind or at Execute; what follows its Sync runs normally.
      expect(answer.map((m) => m.type).join('')).toMatch(/^1(2T)?EZ12TDCZTDCZ$/);
      const rows = answer.filter((m) => m.type === 'D').map((m) => m.body.subarray(6).toString('utf8'));
      expect(rows).toEqual(['after the error', 'simple']);
    } finally {
      socket.destroy();
      await other.end();
    }
  });

  it('lets others run while a client sits idle on an open connection outside a transaction (a command at a prompt)', async () => {
    const [idle, busy] = [client(), client()];
    await Promise.all([idle.connect(), busy.connect()]);
    try {
      await idle.query('SELECT 1');
      const started = Date.now();
      for (let i = 0; i < 20; i++) await busy.query("INSERT INTO server_probe (tag, n) VALUES ('beside-idle', $1)", [i]);
      const { rows } = await busy.query<{ count: string }>("SELECT count(*) FROM server_probe WHERE tag = 'beside-idle'");
      expect(Number(rows[0]!.count)).toBe(20);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect((await serverStatus(dataDir, process.env))?.connections).toBeGreaterThanOrEqual(2);
    } finally {
      await Promise.all([idle.end(), busy.end()]);
    }
  });

  it('rolls back the open transaction of a client killed mid-transaction, and serves the next command', async () => {
    const script = `
      const pg = require('pg');
      const c = new pg.Client({ host: process.argv[1], port: 5432, user: 'postgres', database: 'postgres' });
      (async () => {
        await c.connect();
        await c.query('BEGIN');
        await c.query("INSERT INTO server_probe (tag, n) VALUES ('killed', 1)");
        process.stdout.write('inside\\n');
        setInterval(() => {}, 1000);
      })();`;
    const child = spawn(process.execPath, ['-e', script, serverPaths(dataDir).runDir], { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('inside') && resolve());
      child.on('exit', (code) => reject(new Error(`the client exited early (${code})`)));
    });
    child.kill('SIGKILL');
    const next = await openDatabase(db.target, { schema: 'none', lockTimeoutMs: 10_000 });
    try {
      const [killed] = await next.knex('server_probe').where({ tag: 'killed' }).count<{ count: number }[]>('* as count');
      expect(Number(killed?.count)).toBe(0);
      await next.knex('server_probe').insert({ tag: 'after-kill', n: 1 });
      const [after] = await next.knex('server_probe').where({ tag: 'after-kill' }).count<{ count: number }[]>('* as count');
      expect(Number(after?.count)).toBe(1);
    } finally {
      await next.close();
    }
  });

  it('loses no committed row when the server is killed (SIGKILL) mid-write; the next command starts a new server', async () => {
    const before = await serverStatus(dataDir, process.env);
    expect(before?.pid).toBeGreaterThan(0);
    const writer = client();
    await writer.connect();
    writer.on('error', () => {});
    let committed = 0;
    const writing = (async () => {
      try {
        for (let i = 1; ; i++) {
          await writer.query("INSERT INTO server_probe (tag, n) VALUES ('sigkill', $1)", [i]);
          committed = i;
        }
      } catch {
        // The server is gone.
      }
    })();
    while (committed < 30) await sleep(10);
    process.kill(before!.pid, 'SIGKILL');
    await writing;
    await writer.end().catch(() => {});
    const lockText = await fs.readFile(`${dataDir}.lock`, 'utf8');
    expect(lockText.split('\n')[0]).toBe(String(before!.pid)); // a stale lock and a stale socket are left behind

    const next = await openDatabase(db.target, { schema: 'none', lockTimeoutMs: 10_000 });
    try {
      const rows = await next.knex('server_probe').where({ tag: 'sigkill' }).orderBy('n').pluck('n');
      expect(rows.length).toBeGreaterThanOrEqual(committed);
      expect(rows.slice(0, committed)).toEqual(Array.from({ length: committed }, (_, i) => i + 1));
      const after = await serverStatus(dataDir, process.env);
      expect(after?.pid).not.toBe(before!.pid);
    } finally {
      await next.close();
    }
  });

  it('starts one server for commands that arrive together, and stops it after the idle time', async () => {
    await stopServer(dataDir, process.env);
    const env = { ...process.env, CLINIC_SERVER_IDLE_TIMEOUT: '1' };
    const opened = await Promise.all(Array.from({ length: 3 }, () => openDatabase(db.target, { schema: 'none', lockTimeoutMs: 10_000, env })));
    const status = await serverStatus(dataDir, env);
    expect(status).toMatchObject({ dataDir, connections: 3, idleTimeoutSeconds: 1 });
    expect(status!.residentBytes).toBeGreaterThan(0);
    const log = await fs.readFile(serverPaths(dataDir).log, 'utf8');
    const started = log.split('\n').filter((line) => line.includes(' serving ')).length;
    await Promise.all(opened.map((database) => database.close()));
    const deadline = Date.now() + 10_000;
    const lockGone = () =>
      fs.access(`${dataDir}.lock`).then(
        () => false,
        () => true,
      );
    while (!(await lockGone()) && Date.now() < deadline) await sleep(100);
    expect(await serverStatus(dataDir, env)).toBeUndefined();
    await expect(fs.access(`${dataDir}.lock`)).rejects.toThrow();
    const after = (await fs.readFile(serverPaths(dataDir).log, 'utf8')).split('\n');
    expect(after.filter((line) => line.includes(' serving ')).length).toBe(started);
    expect(after.some((line) => line.includes('stopping: idle for 1 s'))).toBe(true);
  });

  it('takes its idle time from the server-idle-minutes setting when CLINIC_SERVER_IDLE_TIMEOUT is not set', async () => {
    const env = { ...process.env };
    delete env.CLINIC_SERVER_IDLE_TIMEOUT;
    const database = await openDatabase(db.target, { schema: 'none', lockTimeoutMs: 10_000, env });
    try {
      expect((await serverStatus(dataDir, env))?.idleTimeoutSeconds).toBe(600);
      await upsertSetting(database.knex, 'serverIdleMinutes', '2', null);
    } finally {
      await database.close();
    }
    // Read again once the server falls idle (it checks every second).
    const deadline = Date.now() + 10_000;
    while ((await serverStatus(dataDir, env))?.idleTimeoutSeconds !== 120 && Date.now() < deadline) await sleep(100);
    expect((await serverStatus(dataDir, env))?.idleTimeoutSeconds).toBe(120);
    await stopServer(dataDir, env);
  });

  it("refuses a data directory of another user, and a server directory or socket that is not the user's", async () => {
    const uid = process.getuid?.();
    if (uid !== 0) return; // chown to another user needs root; the CI runs as root
    const foreign = `${dataDir}-foreign`;
    await fs.mkdir(foreign, { mode: 0o700 });
    await fs.chown(foreign, 65534, 65534);
    await expect(openDatabase({ backend: 'embedded', dataDir: foreign }, { schema: 'none', lockTimeoutMs: 1_000 })).rejects.toThrow(
      /belongs to another user \(uid 65534\)/,
    );

    const mine = `${dataDir}-runowner`;
    await fs.mkdir(`${mine}.run`, { mode: 0o700 });
    await fs.chown(`${mine}.run`, 65534, 65534);
    await expect(openDatabase({ backend: 'embedded', dataDir: mine }, { schema: 'none', lockTimeoutMs: 1_000 })).rejects.toThrow(
      /server directory .* belongs to another user/,
    );

    const planted = `${dataDir}-socket`;
    await fs.mkdir(`${planted}.run`, { mode: 0o700 });
    await fs.writeFile(path.join(`${planted}.run`, '.s.PGSQL.5432'), '');
    await expect(openDatabase({ backend: 'embedded', dataDir: planted }, { schema: 'none', lockTimeoutMs: 1_000 })).rejects.toThrow(/is not a socket of yours/);
    for (const dir of [foreign, mine, `${mine}.run`, planted, `${planted}.run`]) await fs.rm(dir, { recursive: true, force: true });
  });
  it('db server status reports the running server (pid, data dir, uptime, connections, memory); db server stop stops it', async () => {
    const env = { CLINIC_DATA_DIR: dataDir };
    // A fresh connection (earlier tests stopped servers): it starts the server and stays open on it.
    await db.close();
    db = await db.reopen();
    expect((await db.knex.raw('SELECT 1')).rows).toHaveLength(1);
    // Held out of the pool, which would otherwise close it after a second idle (a loaded machine takes that long to spawn).
    const held: unknown = await db.knex.client.acquireConnection();
    const status = await spawnClinic(['db', 'server', 'status', '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toBe('');
    const running = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(running).toMatchObject({ running: true, dataDir, pid: expect.any(Number), connections: expect.any(Number) });
    expect(running.connections as number).toBeGreaterThanOrEqual(1);
    expect(running.uptimeSeconds as number).toBeGreaterThanOrEqual(0);
    expect(running.residentBytes as number).toBeGreaterThan(10 * 1024 * 1024);
    const human = await spawnClinic(['db', 'server', 'status'], { env });
    expect(human.stdout).toMatch(new RegExp(`Server\\s+running \\(pid ${running.pid}\\)`));
    expect(human.stdout).toMatch(/Memory\s+\d+ MB resident/);
    // Read as a person reads an instant, not ISO with milliseconds.
    expect(human.stdout).toMatch(/Up since\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC \(\d+ (s|min)\)/);

    // Stopped under the harness's open (idle) connection, as from another terminal.
    await db.knex.client.releaseConnection(held);
    const stop = await spawnClinic(['db', 'server', 'stop', '--json'], { env });
    expect(stop.code, stop.stderr).toBe(0);
    expect(JSON.parse(stop.stdout)).toEqual({ stopped: true, pid: running.pid, dataDir });
    expect(() => process.kill(running.pid as number, 0)).toThrow();
    const after = await spawnClinic(['db', 'server', 'status', '--json'], { env });
    expect(JSON.parse(after.stdout)).toEqual({ running: false, dataDir });
    const again = await spawnClinic(['db', 'server', 'stop'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No server runs for');
    await db.close().catch(() => {});
    db = await db.reopen();
  });

  it('db server on a PostgreSQL database is a usage error (exit 2)', async () => {
    const result = await spawnClinic(['db', 'server', 'status', '--database-url', 'postgres://nobody@127.0.0.1:1/none']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('`db server` is about the embedded database');
  });
});

/** A frontend message of the PostgreSQL protocol: type, length, body. */
function frontend(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

function cString(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}

function startupMessage(parameters: Record<string, string>): Buffer {
  const body = Buffer.concat([...Object.entries(parameters).flatMap(([key, value]) => [cString(key), cString(value)]), Buffer.from([0])]);
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(196608, 4);
  return Buffer.concat([header, body]);
}

/** Parse (unnamed), Bind (no parameters, text results), Describe portal, Execute, Sync. */
function extendedQuery(sql: string): Buffer[] {
  const noFormats = Buffer.alloc(2);
  return [
    frontend('P', Buffer.concat([cString(''), cString(sql), noFormats])),
    frontend('B', Buffer.concat([cString(''), cString(''), noFormats, noFormats, noFormats])),
    frontend('D', Buffer.concat([Buffer.from('P'), cString('')])),
    frontend('E', Buffer.concat([cString(''), Buffer.alloc(4)])),
    frontend('S', Buffer.alloc(0)),
  ];
}

/** Backend messages, skipping notices and parameter statuses. */
function messagesOf(bytes: Buffer): Array<{ type: string; body: Buffer }> {
  const messages: Array<{ type: string; body: Buffer }> = [];
  for (let offset = 0; offset + 5 <= bytes.length;) {
    const length = bytes.readInt32BE(offset + 1);
    const type = String.fromCharCode(bytes[offset]!);
    if (type !== 'N' && type !== 'S') messages.push({ type, body: bytes.subarray(offset + 5, offset + 1 + length) });
    offset += 1 + length;
  }
  return messages;
}
