import type { z } from 'zod';
import { ValidationError } from './errors.js';

/**
 * Parses `value` with a zod schema; a failure is a ValidationError (exit 3). Naming the `field`
 * reports its first problem and the value given (`Invalid email: that is not an email address
 * ("x").`); without a field, every problem of the whole input (`Invalid input: a; b.`).
 */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, field?: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => issue.message);
  if (field === undefined) throw new ValidationError(`Invalid input: ${problems.join('; ')}.`);
  throw new ValidationError(`Invalid ${field}: ${problems[0] ?? 'invalid value'}${typeof value === 'string' ? ` ("${value}")` : ''}.`);
}
