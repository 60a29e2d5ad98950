import type { ChalkInstance } from 'chalk';
import type { Page } from '../domain/paging.js';
import type { GlobalOptions } from './globals.js';
import type { IO } from './io.js';
import { UsageError } from './usage-error.js';

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /**
   * Cut short, with …, when the table is wider than the terminal: free text (a reason) first
   * (`true`), names that tell rows apart (`'last'`) only when that is not enough.
   */
  fit?: boolean | 'last';
  /** Left out when the table is wider than the terminal and every row holds the same value (the day of `list --date`). */
  omitWhenShared?: boolean;
  /** an appointment status: coloured when colour is on */
  status?: boolean;
  /** the status whose colour paints this row's cell (a cell that shows more than the status itself) */
  tone?: (row: T) => string | undefined;
}

/** DESIGN §4's status colours: waiting is yellow, done well green, gone dim, missed red. */
const STATUS_STYLE: Record<string, 'yellow' | 'green' | 'dim' | 'red'> = {
  PENDING: 'yellow',
  APPROVED: 'green',
  CANCELLED: 'dim',
  REJECTED: 'dim',
  NO_SHOW: 'red',
};

/** The narrowest a fitted column gets: a few words still read. */
const MIN_FIT_WIDTH = 6;

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

  /** The clinic's time zone, once a command has opened the clinic: instants are shown on its wall clock. */
  private clinicZone: string | undefined;
  private instantFormat: Intl.DateTimeFormat | undefined;

  setClinicZone(zone: string): void {
    this.clinicZone = zone;
    this.instantFormat = undefined;
  }

  /**
   * An instant as people read it: `2026-12-01 19:13` on the clinic's wall clock (JSON keeps ISO
   * UTC). Before the clinic is known (set-up commands), UTC, and it says so.
   */
  when(moment: Date): string {
    this.instantFormat ??= new Intl.DateTimeFormat('en-CA', {
      timeZone: this.clinicZone ?? 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const part: Record<string, string> = {};
    for (const { type, value } of this.instantFormat.formatToParts(moment)) part[type] = value;
    const text = `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
    return this.clinicZone === undefined ? `${text} UTC` : text;
  }

  /** One field as safe text, instants on the clinic's wall clock. */
  private show(value: unknown): string {
    return display(value, (moment) => this.when(moment));
  }

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

  /**
   * One JSON value with --json; otherwise text composed of this class's own tables and of
   * `heading`s (both already made safe), so that their colours survive (`data` neutralises all).
   */
  composed(value: unknown, human: () => string): void {
    this.write(value, human);
  }

  /** A bold line of safe text, for `composed` output. */
  heading(text: string): string {
    return this.color.bold(terminalSafe(text));
  }

  /** The terminal's width when tables are fitted to it (stdout a terminal, no --wide); else undefined. */
  get fitWidth(): number | undefined {
    const columns = this.globals.wide || this.io.stdout.isTTY !== true ? undefined : (this.io.stdout as { columns?: number }).columns;
    return columns !== undefined && columns > 0 ? columns : undefined;
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
      this.notice(
        `Showing ${count(page.items.length)} of ${count(page.total)} ${noun}; ${count(page.total - page.items.length)} more. See more with --limit N, or all with --all.`,
      );
    }
  }

  /** A single record: a JSON object, or label/value lines (and, after a blank line, a body of many lines). */
  record(value: unknown, fields: ReadonlyArray<readonly [string, unknown]>, body?: string): void {
    this.write(value, () => {
      const width = Math.max(...fields.map(([label]) => label.length));
      const lines = fields
        .map(([label, field]) => {
          // Lines of their own (e.g. a week of hours): each one made safe, none able to break out of its indent.
          if (field instanceof IndentedLines) return [this.color.bold(label), ...field.lines.map((line) => `  ${this.show(line)}`)].join('\n');
          return `${this.color.bold(label.padEnd(width))}  ${this.show(field)}`;
        })
        .join('\n');
      return body === undefined ? lines : `${lines}\n\n${terminalSafe(body, { lineBreaks: true })}`;
    });
  }

  /**
   * cli-table3's look (its width rules: ANSI codes take no room, East Asian characters two
   * columns), built here in one pass: cli-table3's own layout looks for row-spanning cells above
   * every cell, which makes 32,000 rows take over a minute. No rule between body rows: one line
   * per record reads faster and fits more on a screen.
   */
  table<T>(rows: readonly T[], allColumns: ReadonlyArray<Column<T>>): string {
    const cell = (text: string) => text.split('\n').map((line) => ({ line, width: this.width(line) }));
    const allTexts = allColumns.map((column) => rows.map((row) => this.show(column.value(row))));
    const kept = this.keptColumns(allColumns, allTexts, rows.length);
    const columns = kept.map((i) => allColumns[i]!);
    const texts = kept.map((i) => allTexts[i]!);
    const head = columns.map((column) => cell(this.color.bold(column.header)));
    const body = rows.map((_, r) => columns.map((_column, i) => cell(texts[i]![r]!)));
    const widths = columns.map(() => 0);
    for (const cells of [head, ...body]) {
      cells.forEach((lines, i) => {
        for (const { width } of lines) widths[i] = Math.max(widths[i]!, width);
      });
    }
    const natural = [...widths];
    this.fit(widths, columns);
    const cut = columns.map((_, i) => widths[i]! < natural[i]!);
    const paint = (i: number, r: number) => {
      const column = columns[i]!;
      if (column.tone) {
        const tone = column.tone(rows[r]!);
        return tone === undefined ? undefined : (text: string) => this.statusColor(text, tone);
      }
      return column.status ? (text: string) => this.statusColor(text) : undefined;
    };
    const rule = (left: string, middle: string, right: string) => `${left}${widths.map((width) => '─'.repeat(width + 2)).join(middle)}${right}`;
    const out = [rule('┌', '┬', '┐')];
    const draw = (cells: Array<Array<{ line: string; width: number }>>, r: number | undefined) => {
      const height = Math.max(...cells.map((lines) => lines.length));
      for (let k = 0; k < height; k++) {
        const parts = cells.map((lines, i) => {
          let { line = '', width = 0 } = lines[k] ?? {};
          if (cut[i] && width > widths[i]!) ({ line, width } = this.truncate(line, widths[i]!));
          const painter = r === undefined ? undefined : paint(i, r);
          const painted = painter ? painter(line) : line;
          return ` ${painted}${' '.repeat(widths[i]! - width)} `;
        });
        out.push(`│${parts.join('│')}│`);
      }
    };
    draw(head, undefined);
    body.forEach((cells, r) => draw(cells, r));
    out.push(rule('└', '┴', '┘'));
    return out.join('\n');
  }

  /** The columns to draw, by index: on a terminal too narrow for them all, not those whose value every row shares. */
  private keptColumns<T>(columns: ReadonlyArray<Column<T>>, texts: ReadonlyArray<readonly string[]>, rows: number): number[] {
    const all = columns.map((_, i) => i);
    const available = this.fitWidth;
    if (available === undefined || rows === 0 || !columns.some((column) => column.omitWhenShared)) return all;
    const width = (i: number) => texts[i]!.reduce((max, text) => Math.max(max, this.width(text)), columns[i]!.header.length);
    if (all.reduce((sum, i) => sum + width(i) + 3, 1) <= available) return all;
    return all.filter((i) => !(columns[i]!.omitWhenShared && texts[i]!.every((text) => text === texts[i]![0])));
  }

  /**
   * Narrows the free-text columns (the widest first) until the table fits the terminal; nothing
   * when stdout is not a terminal or with --wide. A column never gets narrower than its header
   * or MIN_FIT_WIDTH, so a table of many narrow columns may still be wider than the screen.
   */
  private fit<T>(widths: number[], columns: ReadonlyArray<Column<T>>): void {
    const available = this.fitWidth;
    if (available === undefined) return;
    let total = widths.reduce((sum, width) => sum + width + 3, 1);
    const floorOf = (i: number) => Math.max(MIN_FIT_WIDTH, columns[i]!.header.length);
    // Free text gives way first; names that tell rows apart only when that is not enough.
    const tier = (i: number) => (columns[i]!.fit === 'last' ? 2 : columns[i]!.fit ? 1 : 0);
    while (total > available) {
      let widest = -1;
      for (const level of [1, 2]) {
        columns.forEach((_, i) => {
          if (tier(i) === level && widths[i]! > floorOf(i) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
        });
        if (widest >= 0) break;
      }
      if (widest < 0) return;
      const floor = floorOf(widest);
      const others = widths.reduce((max, width, i) => (i !== widest && tier(i) === tier(widest) ? Math.max(max, width) : max), floor);
      const next = Math.max(floor, others, widths[widest]! - (total - available));
      const target = next === widths[widest]! ? widths[widest]! - 1 : next;
      total -= widths[widest]! - target;
      widths[widest] = target;
    }
  }

  /** The longest start of `line` that fits in `width` columns with an ellipsis after it. */
  private truncate(line: string, width: number): { line: string; width: number } {
    if (PRINTABLE_ASCII.test(line)) return { line: `${line.slice(0, width - 1)}…`, width };
    let kept = '';
    let used = 0;
    for (const char of line) {
      const w = this.textWidth(char);
      if (used + w > width - 1) break;
      kept += char;
      used += w;
    }
    return { line: `${kept}…`, width: used + 1 };
  }

  private statusColor(text: string, status = text.trim()): string {
    const style = STATUS_STYLE[status];
    return style ? this.color[style](text) : text;
  }

  /** Columns on a terminal; plain ASCII (most cells) without the cost of the general measure. */
  private width(text: string): number {
    return PRINTABLE_ASCII.test(text) ? text.length : this.textWidth(text);
  }

  /** Progress and status lines for people, on stderr; silent with --quiet, and with --json (stderr stays empty on success, DESIGN §4). */
  notice(message: string): void {
    if (!this.globals.quiet && !this.globals.json) this.io.stderr.write(`${terminalSafe(message, { lineBreaks: true })}\n`);
  }

  /** A line for the person answering a prompt (what a confirmation is about, why a question comes again): always shown. */
  aside(message: string): void {
    this.io.stderr.write(`${terminalSafe(message, { lineBreaks: true })}\n`);
  }

  /** A confirmation for people; with --json the data says it all and stderr stays empty (DESIGN §4). */
  success(message: string): void {
    if (!this.globals.quiet && !this.globals.json) this.io.stderr.write(`${this.color.green('✓')} ${terminalSafe(message, { lineBreaks: true })}\n`);
  }

  /** Something done differently from what was asked (a skipped occurrence, no password set); silent like notice. */
  warn(message: string): void {
    if (this.globals.quiet || this.globals.json) return;
    this.io.stderr.write(`${this.color.yellow('!')} ${terminalSafe(message, { lineBreaks: true })}\n`);
  }
}

/**
 * Runs the pager on the terminal with the text as its input and waits for it (the person reads,
 * then quits). LESS defaults to FRX as git sets it. False when the pager cannot be run, so the
 * text is written directly instead.
 */
function throughPager(command: string, text: string, stdoutFd: number, env: NodeJS.ProcessEnv): boolean {
  // node:child_process is loaded here, when a pager runs, not by every command that prints.
  const result = process.getBuiltinModule('node:child_process').spawnSync(command, {
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
  const objects = (Array.isArray(value) ? value : [value]).filter(
    (item): item is Record<string, unknown> => item !== null && typeof item === 'object' && !Array.isArray(item),
  );
  if (objects.length > 0) {
    const known = new Set(objects.flatMap((item) => Object.keys(item)));
    const unknown = fields.filter((field) => !known.has(field));
    if (unknown.length > 0) throw unknownFieldsError(unknown, known);
  }
  const pick = (item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(fields.filter((field) => field in item).map((field) => [field, (item as Record<string, unknown>)[field]]))
      : item;
  return Array.isArray(value) ? value.map(pick) : pick(value);
}

export function unknownFieldsError(unknown: readonly string[], known: Iterable<string>): UsageError {
  return new UsageError(`Unknown field(s) for --fields: ${unknown.join(', ')}.`, `The fields are: ${[...known].join(', ')}.`);
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

/** A record field shown as indented lines under its label rather than on the label's line. */
export class IndentedLines {
  constructor(readonly lines: readonly string[]) {}
}

/**
 * One field (a table cell, a record's value) as one line of safe text. Instants (a Date, or an
 * ISO 8601 UTC string as views carry them) go through `instant`; by default ISO.
 */
export function display(value: unknown, instant: (moment: Date) => string = (moment) => moment.toISOString()): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : instant(value);
  if (Array.isArray(value)) return value.map((item) => display(item, instant)).join(', ');
  if (typeof value === 'object') return terminalSafe(JSON.stringify(value));
  if (typeof value === 'string' && ISO_INSTANT.test(value)) return instant(new Date(value));
  return terminalSafe(String(value));
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

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
