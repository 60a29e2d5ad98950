/** Small, dependency-free statistics for timing samples (milliseconds). */

export interface Summary {
  runs: number;
  median: number;
  min: number;
  max: number;
  mean: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { runs: 0, median: Number.NaN, min: Number.NaN, max: Number.NaN, mean: Number.NaN };
  return {
    runs: values.length,
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    mean: values.reduce((sum, value) => sum + value, 0) / values.length,
  };
}

/** `a / b`, or NaN when the baseline is missing or zero (a ratio to nothing means nothing). */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : Number.NaN;
}

export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function formatRange(summary: Summary): string {
  return summary.runs === 0 ? '–' : `${formatMs(summary.min)} – ${formatMs(summary.max)}`;
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '–';
}
