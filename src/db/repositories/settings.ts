import type { Knex } from 'knex';

export interface SettingRow {
  key: string;
  value: string;
  updated_at: Date;
  updated_by: string | null;
}

export async function findAllSettings(db: Knex): Promise<SettingRow[]> {
  return db('settings').select('key', 'value', 'updated_at', 'updated_by').orderBy('key');
}

export async function findSetting(db: Knex, key: string): Promise<string | undefined> {
  const row = await db('settings').select('value').where({ key }).first<{ value: string } | undefined>();
  return row?.value;
}

export async function upsertSetting(db: Knex, key: string, value: string, updatedBy: string | null): Promise<void> {
  await db('settings').insert({ key, value, updated_by: updatedBy, updated_at: db.fn.now() }).onConflict('key').merge(['value', 'updated_by', 'updated_at']);
}
