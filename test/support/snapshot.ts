/**
 * Human output made comparable across runs and backends, as changesets' e2e tests do: colours
 * stripped, and what differs from run to run (ids, timestamps, database names and paths)
 * replaced by a placeholder. Dates the test chose itself (with a fixed clock) stay as they are.
 */
export function normaliseOutput(text: string, replacements: ReadonlyArray<[string | RegExp, string]> = []): string {
  let out = text.replace(/\x1b\[[0-9;]*m/g, '');
  for (const [from, to] of replacements) out = typeof from === 'string' ? out.replaceAll(from, to) : out.replace(from, to);
  return out
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})\b/g, '<timestamp>')
    .replace(/clinic_t_\d+_[0-9a-f]+/g, '<database>');
}
