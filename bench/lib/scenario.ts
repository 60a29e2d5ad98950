import type { Section } from './report.js';
import type { Resources } from './resources.js';
import { formatRatio } from './stats.js';

export interface ScenarioContext {
  resources: Resources;
  /** The maintenance database of the PostgreSQL server the bench may create databases on. */
  adminUrl: string;
  /** Overrides every scenario's own number of timed runs (`--runs N`), for a quick look. */
  runs?: number;
  log(message: string): void;
}

export interface Scenario {
  id: string;
  title: string;
  target: string;
  run(ctx: ScenarioContext): Promise<Section>;
}

/** "met" / "MISSED" against a maximum ratio, for both wall and CPU medians. */
export function ratioVerdict(what: string, wallRatio: number, cpuRatio: number, limit: number): string {
  const status = (value: number) => (value <= limit ? 'met' : 'MISSED');
  return `${what}: wall ${formatRatio(wallRatio)} (${status(wallRatio)}), CPU ${formatRatio(cpuRatio)} (${status(cpuRatio)}); target ≤ ${formatRatio(limit)}`;
}
