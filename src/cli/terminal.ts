import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { isatty } from 'node:tty';

/**
 * The controlling terminal a command runs under, as sudo keys its tickets: the terminal's device,
 * plus the terminal session (its session id and its leader's start time, and the boot), so a device
 * number reused by a later window after a logout does not inherit the earlier window's session.
 * Redirections do not change it (`clinic appointments list | less` is still this terminal);
 * cron, CI and `setsid` have none.
 */
export interface ControllingTerminal {
  /** the device, as `tty` names it: /dev/pts/3 */
  device: string;
  /** a hash that tells this terminal session apart from any other (never shown) */
  key: string;
}

const STANDARD_FDS = [0, 1, 2] as const;

/** This process's controlling terminal, or null when it has none. */
export async function controllingTerminal(): Promise<ControllingTerminal | null> {
  const own = await readProcStat('self');
  if (own === undefined) return fallbackTerminal();
  if (own.ttyNr === 0) return null;
  const leader = await readProcStat(String(own.session));
  const bootId = (await fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim();
  const identity = ['linux', bootId, own.ttyNr, own.session, leader?.startTime ?? 'unknown'].join(':');
  return { device: await deviceName(own.ttyNr), key: digest(identity) };
}

interface ProcStat {
  session: number;
  ttyNr: number;
  startTime: string;
}

/** Fields 6 (session), 7 (tty_nr) and 22 (starttime) of /proc/PID/stat; the name in field 2 may hold spaces and parentheses. */
async function readProcStat(pid: string): Promise<ProcStat | undefined> {
  const text = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (the state)
  const session = Number(fields[3]);
  const ttyNr = Number(fields[4]);
  const startTime = fields[19];
  if (!Number.isInteger(session) || !Number.isInteger(ttyNr) || startTime === undefined) return undefined;
  return { session, ttyNr, startTime };
}

/** The device's path: a standard stream on it names it; else the pseudo-terminal or console by its numbers. */
async function deviceName(ttyNr: number): Promise<string> {
  for (const fd of STANDARD_FDS) {
    if (!isatty(fd)) continue;
    const stat = await fs.stat(`/proc/self/fd/${fd}`).catch(() => undefined);
    if (stat?.rdev !== ttyNr) continue;
    const link = await fs.readlink(`/proc/self/fd/${fd}`).catch(() => undefined);
    if (link?.startsWith('/dev/')) return link;
  }
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `/dev/pts/${(major - 136) * 256 + minor}`;
  if (major === 4 && minor < 64) return `/dev/tty${minor}`;
  return `/dev/char/${major}:${minor}`;
}

/** Without /proc (macOS, BSD): the device of the first standard stream that is a terminal, by its number. */
async function fallbackTerminal(): Promise<ControllingTerminal | null> {
  for (const fd of STANDARD_FDS) {
    if (!isatty(fd)) continue;
    const { rdev } = await fs.stat(`/dev/fd/${fd}`);
    return { device: `terminal device ${rdev}`, key: digest(`device:${rdev}`) };
  }
  return null;
}

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}
