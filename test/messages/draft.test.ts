import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DRAFT_HINT, promptLines } from '../../src/cli/commands/messages/draft.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makePatient, makeStaff, type MadeUser } from '../support/factories.js';

/** An editor that records what it was given (its file's mode, its directory's mode), writes a body and exits with `code`. */
async function recordingEditor(dir: string, body: string, code = 0): Promise<{ command: string; log: string }> {
  const script = path.join(dir, `editor-${code}.sh`);
  const log = path.join(dir, `editor-${code}.log`);
  await fs.writeFile(
    script,
    [
      '#!/bin/sh',
      `printf '%s\\n%s\\n%s\\n' "$1" "$(stat -c %a "$1")" "$(stat -c %a "$(dirname "$1")")" > '${log}'`,
      `printf '%s\\n' '${body}' > "$1"`,
      `exit ${code}`,
    ].join('\n'),
    { mode: 0o755 },
  );
  return { command: script, log };
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

describeBackends('messages send on a terminal: the draft', (db) => {
  let staff: MadeUser;
  let patient: MadeUser;
  let tmp: string;
  const send = (env: NodeJS.ProcessEnv, stdin?: string) =>
    runCli(['messages', 'send', '--to', patient.username, '--json'], {
      database: db().database,
      actor: staff,
      tty: true,
      env,
      ...(stdin === undefined ? {} : { stdin }),
    });
  const stored = async (id: string) => (await db().knex('messages').where({ id }).first('content')).content as string;
  const count = async () => Number((await db().knex('messages').count({ n: '*' }))[0]!.n);

  beforeAll(async () => {
    staff = await makeStaff(db().knex);
    patient = await makePatient(db().knex);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-draft-test-'));
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('edits in $EDITOR a file of mode 0600 in a directory of mode 0700, removed afterwards', async () => {
    const editor = await recordingEditor(tmp, 'Your results are in.');
    const result = await send({ EDITOR: editor.command });
    expect(result.code, result.stderr).toBe(0);
    expect(await stored(result.json<{ id: string }>().id)).toBe('Your results are in.');
    const [file, fileMode, dirMode] = (await fs.readFile(editor.log, 'utf8')).trim().split('\n');
    expect([fileMode, dirMode]).toEqual(['600', '700']);
    expect(await exists(file!)).toBe(false);
    expect(await exists(path.dirname(file!))).toBe(false);
  });

  it('prefers $VISUAL, and takes an editor command with arguments', async () => {
    const editor = await recordingEditor(tmp, 'From VISUAL.');
    const result = await send({ VISUAL: `sh ${editor.command}`, EDITOR: 'false' });
    expect(result.code, result.stderr).toBe(0);
    expect(await stored(result.json<{ id: string }>().id)).toBe('From VISUAL.');
  });

  it('removes the draft and sends nothing when the editor fails (exit 2)', async () => {
    const editor = await recordingEditor(tmp, 'half written', 1);
    const before = await count();
    const result = await send({ EDITOR: editor.command });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr).error.message).toBe(`The editor (${editor.command}) exited with code 1; nothing was sent.`);
    const [file] = (await fs.readFile(editor.log, 'utf8')).trim().split('\n');
    expect(await exists(path.dirname(file!))).toBe(false);
    expect(await count()).toBe(before);
  });

  it('without VISUAL or EDITOR, reads lines up to a single "." after a one-line hint', async () => {
    const result = await send({}, 'Dear patient,\n\n  the lab called.\n.\nnot part of it\n');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split('\n')[0]).toBe(`Message to ${patient.username}. ${DRAFT_HINT}`);
    expect(await stored(result.json<{ id: string }>().id)).toBe('Dear patient,\n\n  the lab called.');
  });

  it('without VISUAL or EDITOR, Ctrl-D (end of input) ends the message too', async () => {
    const result = await send({}, 'one line\nand another');
    expect(result.code, result.stderr).toBe(0);
    expect(await stored(result.json<{ id: string }>().id)).toBe('one line\nand another');
  });

  it('with --no-input on a terminal, asks nothing: exit 2 naming --body', async () => {
    const result = await runCli(['messages', 'send', '--to', patient.username, '--no-input'], {
      database: db().database,
      actor: staff,
      tty: true,
      env: { EDITOR: 'false' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--body');
  });
});

// Without python3 (and its pty module) this is reported as skipped: the stream tests drive the same function.
const hasPty = spawnSync('python3', ['-c', 'import pty'], { encoding: 'utf8' }).status === 0;

it.skipIf(!hasPty)('the line prompt, on a real pseudo-terminal: typed lines, then "."', async () => {
  const module = path.resolve('src/cli/commands/messages/draft.ts');
  // The child reads its terminal through promptLines and prints what it got as JSON; python drives the terminal.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-pty-'));
  const childFile = path.join(dir, 'prompt.mts');
  await fs.writeFile(
    childFile,
    `import { promptLines } from ${JSON.stringify(module)};
const body = await promptLines({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, 'HINT');
process.stdout.write('BODY=' + JSON.stringify(body) + '\\n');
`,
  );
  const driver = `
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], sys.argv[2]])
out = b''
def read_until(marker, timeout=60):
    global out
    end = time.time() + timeout
    while marker not in out and time.time() < end:
        try: out += os.read(fd, 4096)
        except OSError: break
read_until(b'HINT')
for line in [b'first line', b'second line', b'.']:
    os.write(fd, line + b'\\n')
read_until(b'BODY=')
read_until(b'\\n', 5)
os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
`;
  const result = spawnSync('python3', ['-c', driver, path.resolve('node_modules/.bin/tsx'), childFile], { encoding: 'utf8', timeout: 90_000 });
  await fs.rm(dir, { recursive: true, force: true });
  expect(result.stdout).toContain('HINT');
  expect(result.stdout).toContain('BODY="first line\\nsecond line"');
});

it('the line prompt stops at once when the run is told to stop (Ctrl-C), keeping nothing typed', async () => {
  const stdin = new PassThrough();
  const stopping = new AbortController();
  const body = promptLines({ stdin, stdout: new PassThrough(), stderr: new PassThrough() }, 'HINT', stopping.signal);
  stdin.write('half a message\n');
  await new Promise((resolve) => setTimeout(resolve, 50));
  stopping.abort('interrupted');
  // stdin stays open, as a terminal's does: only the stop can end the reading.
  await expect(body).rejects.toBe('interrupted');
  stdin.destroy();
});

it('the line prompt returns what was typed before the end of input, also without a final newline', async () => {
  const stderr = new PassThrough();
  let hint = '';
  stderr.on('data', (chunk: Buffer) => (hint += chunk.toString()));
  const body = await promptLines({ stdin: Readable.from(['a\r\nb\n', 'c']), stdout: new PassThrough(), stderr }, 'HINT');
  expect(body).toBe('a\nb\nc');
  expect(hint).toBe('HINT\n');
});
