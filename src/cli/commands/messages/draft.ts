import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { IO } from '../../io.js';
import { UsageError } from '../../usage-error.js';

export const DRAFT_HINT = "End with a line holding a single '.' or Ctrl-D.";

/**
 * A message body typed at the terminal: in $VISUAL or $EDITOR when set, else line by line. The
 * draft is patient data: the editor's file is private (0600 in a 0700 directory) and is removed
 * on every way out, a failed editor and Ctrl-C included.
 */
export async function draftMessage(io: IO, env: NodeJS.ProcessEnv, to: string, signal: AbortSignal): Promise<string> {
  const editor = env.VISUAL?.trim() || env.EDITOR?.trim();
  return editor ? editInEditor(editor, env) : promptLines(io, `Message to ${to}. ${DRAFT_HINT}`, signal);
}

async function editInEditor(editor: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-draft-'));
  const removeDraft = () => fs.rmSync(dir, { recursive: true, force: true });
  // An interrupted command ends through process.exit, which skips `finally` but not 'exit'.
  process.once('exit', removeDraft);
  try {
    fs.chmodSync(dir, 0o700);
    const file = path.join(dir, 'message.txt');
    fs.writeFileSync(file, '', { mode: 0o600, flag: 'wx' });
    // As git does: the variable may hold arguments (`code --wait`), so the shell reads it.
    const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'clinic-editor', file], { stdio: 'inherit', env });
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    if (outcome.code !== 0) {
      const how = outcome.error
        ? `could not start (${outcome.error.message})`
        : outcome.signal
          ? `was stopped by ${outcome.signal}`
          : `exited with code ${outcome.code}`;
      throw new UsageError(`The editor (${editor}) ${how}; nothing was sent.`, 'Fix VISUAL or EDITOR, or pass --body.');
    }
    return fs.readFileSync(file, 'utf8');
  } finally {
    removeDraft();
    process.off('exit', removeDraft);
  }
}

/**
 * Lines from the terminal until a line holding only '.' or the end of input (Ctrl-D). The
 * terminal stays in its normal mode, so Ctrl-C interrupts the command as anywhere else: the run's
 * stop (`signal`) ends the reading at once, and nothing typed so far is kept.
 */
export async function promptLines(io: IO, hint: string, signal?: AbortSignal): Promise<string> {
  io.stderr.write(`${hint}\n`);
  const lines: string[] = [];
  const reader = createInterface({ input: io.stdin, terminal: false, crlfDelay: Infinity, ...(signal ? { signal } : {}) });
  try {
    for await (const line of reader) {
      if (line === '.') break;
      lines.push(line);
    }
  } finally {
    reader.close();
  }
  signal?.throwIfAborted();
  return lines.join('\n');
}
