import type { TableRows } from '../../../domain/database/service.js';

export function describeDrops(drops: readonly TableRows[]): string {
  if (drops.length === 0) return 'no table';
  return drops.map((drop) => `${drop.table} (${drop.rows} ${drop.rows === 1 ? 'row' : 'rows'})`).join(', ');
}

export function rowsInAll(drops: readonly TableRows[]): number {
  return drops.reduce((sum, drop) => sum + drop.rows, 0);
}
