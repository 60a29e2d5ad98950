import type { Plugin } from 'esbuild';

export const knexPostgresOnly: Plugin;
export const zodEnglishOnly: Plugin;
export const noEditorPrompt: Plugin;
export const commanderLazyChildProcess: Plugin;
export const tracePackages: Plugin;
export const pgNodeOnly: Plugin;
export const pgLazyDns: Plugin;
