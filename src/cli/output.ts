import { spawnSync } from 'node:child_process';
import type { ChalkInstance } from 'chalk';
import type { Page } from '../domain/paging.js';
import type { GlobalOptions } from './globals.js';
import type { IO } from './io.js';
import { UsageError } from './usage-error.js';

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/**
 * Rendering rules of DESIGN §4: data on stdout (JSON with --json, else tables), notices on
 * stderr, colour only on a TTY and never with --no-color or NO_COLOR.
 *
 * Every human line passes through terminalSafe here: the text comes from patients and staff, and
 * escape sequences in it could clear a screen, set a window title or fake coloured output. The
 * only escape sequences written are this class's own colours; --json is written exactly.
 */
export class Output {
  private constructor(
    private readonly io: IO,
    private readonly globals: GlobalOptions,
    private readonly color: ChalkInstance,
    private readonly textWidth: (text: string) => number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async create(io: IO, globals: GlobalOptions, env: NodeJS.ProcessEnv): Promise<Output> {
    const [{ Chalk }, { strlen }] = await Promise.all([import('chalk'), import('cli-table3/src/utils.js')]);
    return new Output(io, globals, new Chalk({ level: colorLevel(io, globals, env) }), strlen, env);
  }

  get json(): boolean {
    return this.globals.json;
  }

  /** One JSON value with --json; otherwise what `human` renders (plain text: it is neutralised whole). */
  data(value: unknown, human: () => string): void {
    this.write(value, () => terminalSafe(human(), { lineBreaks: true }));
  }

  private write(value: unknown, human: () => string): void {
    if (this.globals.json) {
      const selected = this.globals.fields ? selectFields(value, this.globals.fields) : value;
      this.io.stdout.write(`${JSON.stringify(selected, null, 2)}\n`);
      return;
    }
    const text = human();
    if (text !== '') this.emit(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Human output on stdout: through the pager when it is longer than the terminal (gh, git). */
  private emit(text: string): void {
    const pager = this.pagerCommand(text);
    if (pager !== undefined && throughPager(pager, text, (this.io.stdout as { fd?: number }).fd!, this.env)) return;
    this.io.stdout.write(text);
  }

  /**
   * `$PAGER`, else `less -FRX` — only for human output to a real terminal (never a pipe, never
   * --json), longer than the screen, and unless `--no-pager` or an empty PAGER says no.
   */
  private pagerCommand(text: string): string | undefined {
    if (this.globals.json || !this.globals.pager || this.io.stdout.isTTY !== true) return undefined;
    const fd = (this.io.stdout as { fd?: unknown }).fd;
    if (typeof fd !== 'number') return undefined;
    const command = this.env.PAGER === undefined ? 'less -FRX' : this.env.PAGER.trim();
    if (command === '') return undefined;
    const rows = (this.io.stdout as { rows?: number }).rows ?? 24;
    let lines = 0;
    for (let at = text.indexOf('\n'); at !== -1 && lines < rows; at = text.indexOf('\n', at + 1)) lines++;
    return lines >= rows ? command : undefined;
  }

  /** A list: a JSON array, or a table (a short notice on stderr when empty). */
  list<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>, json: (row: T) => unknown = (row) => row, emptyMessage = 'Nothing found.'): void {
    if (this.globals.json) {
      this.data(rows.map(json), () => '');
      return;
    }
    if (rows.length === 0) {
      this.notice(emptyMessage);
      return;
    }
    this.emit(`${this.table(rows, columns)}\n`);
  }

  /**
   * A page of a long list (gh's way): the list, then on stderr how many rows were left out and
   * how to see them. With --json the array alone (stderr stays quiet; the limit applies too).
   */
  page<T>(page: Page<T>, columns: ReadonlyArray<Column<T>>, json: (row: T) => unknown, emptyMessage: string, noun: string): void {
    this.list(page.items, columns, json, emptyMessage);
    if (!this.globals.json && page.total > page.items.length) {
      const count = (n: number) => n.toLocaleString('en-US');
      this.notice(`Showing ${count(page.items.length)} of ${count(page.total)} ${noun}; ${count(page.total - page.items.length)} more. See more with --limit N, or all with --all.`);
    }
  }

  /** A single record: a JSON object, or label/value lines (and, after a blank line, a body of many lines). */
  record(value: unknown, fields: ReadonlyArray<readonly [string, unknown]>, body?: string): void {
    this.write(value, () => {
      const width = Math.max(...fields.map(([label]) => label.length));
      const lines = fields.map(([label, field]) => `${this.color.bold(label.padEnd(width))}  ${display(field)}`).join('\n');
      return body === undefined ? lines : `${lines}\n\n${terminalSafe(body, { lineBreaks: true })}`;
    });
  }

  /**
   * cli-table3's look (its width rules: ANSI codes take no room, East Asian characters two
   * columns), built here in one pass: cli-table3's own layout looks for row-spanning cells above
   * every cell, which makes 32,000 rows take over a minute. No rule between body rows: one line
   * per record reads faster and fits more on a screen.
   */
  table<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>): string {
    const cell = (text: string) => text.split('\n').map((line) => ({ line, width: this.width(line) }));
    const head = columns.map((column) => cell(this.color.bold(column.header)));
    const body = rows.map((row) => columns.map((column) => cell(display(column.value(row)))));
    const widths = columns.map(() => 0);
    for (const cells of [head, ...body]) {
      cells.forEach((lines, i) => {
        for (const { width } of lines) widths[i] = Math.max(widths[i]!, width);
      });
    }
    const rule = (left: string, middle: string, right: string) => `${left}${widths.map((width) => '─'.repeat(width + 2)).join(middle)}${right}`;
    const out = [rule('┌', '┬', '┐')];
    for (const cells of [head, ...body]) {
      const height = Math.max(...cells.map((lines) => lines.length));
      for (let k = 0; k < height; k++) {
        out.push(`│${cells.map((lines, i) => ` ${lines[k]?.line ?? ''}${' '.repeat(widths[i]! - (lines[k]?.width ?? 0))} `).join('│')}│`);
      }
    }
    out.push(rule('└', '┴', '┘'));
    return out.join('\n');
  }

  /** Columns on a terminal; plain ASCII (most cells) without the cost of the general measure. */
  private width(text: string): number {
    return PRINTABLE_ASCII.test(text) ? text.length : this.textWidth(text);
  }

  /** Progress and status lines for people, on stderr; silent with --quiet. */
  notice(message: string): void {
    if (!this.globals.quiet) this.io.stderr.write(`${terminalSafe(message, { lineBreaks: true })}\n`);
  }

  /** A confirmation for people; with --json the data says it all and stderr stays empty (DESIGN §4). */
  success(message: string): void {
    if (!this.globals.quiet && !this.globals.json) this.io.stderr.write(`${this.color.green('✓')} ${terminalSafe(message, { lineBreaks: true })}\n`);
  }

  warn(message: string): void {
    this.io.stderr.write(`${this.color.yellow('!')} ${terminalSafe(message, { lineBreaks: true })}\n`);
  }
}

/**
 * Runs the pager on the terminal with the text as its input and waits for it (the person reads,
 * then quits). LESS defaults to FRX as git sets it. False when the pager cannot be run, so the
 * text is written directly instead.
 */
function throughPager(command: string, text: string, stdoutFd: number, env: NodeJS.ProcessEnv): boolean {
  const result = spawnSync(command, {
    shell: true,
    input: text,
    stdio: ['pipe', stdoutFd, 'inherit'],
    env: { ...env, LESS: env.LESS ?? 'FRX' },
  });
  return result.error === undefined && result.status !== 127 && result.status !== 126;
}

/**
 * `--fields`: each object (of an array, or the one object) reduced to the named fields, in the
 * order given. A name that no object has is a usage error listing the fields there are.
 */
export function selectFields(value: unknown, fields: readonly string[]): unknown {
  const objects = (Array.isArray(value) ? value : [value]).filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object' && !Array.isArray(item));
  if (objects.length > 0) {
    const known = new Set(objects.flatMap((item) => Object.keys(item)));
    const unknown = fields.filter((field) => !known.has(field));
    if (unknown.length > 0) {
      throw new UsageError(`Unknown field(s) for --fields: ${unknown.join(', ')}.`, `The fields are: ${[...known].join(', ')}.`);
    }
  }
  const pick = (item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item) ? Object.fromEntries(fields.filter((field) => field in item).map((field) => [field, (item as Record<string, unknown>)[field]])) : item;
  return Array.isArray(value) ? value.map(pick) : pick(value);
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function colorLevel(io: IO, globals: Pick<GlobalOptions, 'color'>, env: NodeJS.ProcessEnv): 0 | 1 | 2 | 3 {
  if (!globals.color || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return 0;
  const forced = env.FORCE_COLOR;
  if (forced !== undefined && forced !== '') {
    if (forced === '0' || forced === 'false') return 0;
    const level = Number(forced);
    return level >= 1 && level <= 3 ? (level as 1 | 2 | 3) : 1;
  }
  return io.stdout.isTTY ? 1 : 0;
}

/** One field (a table cell, a record's value) as one line of safe text. */
export function display(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(display).join(', ');
  if (typeof value === 'object') return terminalSafe(JSON.stringify(value));
  return terminalSafe(String(value));
}

/**
 * C0 and C1 controls (ESC, BEL, CSI U+009B, DEL, a lone CR...), bidirectional overrides and
 * line separators are shown as \xNN / \uNNNN, so that text cannot move the cursor, recolour or
 * reorder what a terminal shows. `lineBreaks` keeps line feeds and tabs (message bodies,
 * multi-line notices); a field is one line.
 */
export function terminalSafe(text: string, options: { lineBreaks?: boolean } = {}): string {
  const unsafe = options.lineBreaks ? MULTI_LINE_UNSAFE : ONE_LINE_UNSAFE;
  return text.replace(unsafe, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const ONE_LINE_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const MULTI_LINE_UNSAFE = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
