/** DESIGN §3: `CLINIC_ENV=production` makes seeding and dropping data need --force as well. */
export function isProduction(environment: string | undefined): boolean {
  return environment?.trim().toLowerCase() === 'production';
}
