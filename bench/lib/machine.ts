import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  date: string;
  node: string;
  platform: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  loadAverage: string;
  postgres: string;
}

export function machineInfo(postgresUrl: string): MachineInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' '),
    postgres: postgresVersion(postgresUrl),
  };
}

function postgresVersion(url: string): string {
  try {
    return execFileSync('psql', ['-X', '-At', '-d', url, '-c', 'SHOW server_version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return 'unavailable';
  }
}
