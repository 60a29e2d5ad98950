/**
 * The values the schema allows in its enumerated columns, as the migrations' CHECK constraints
 * and partial indexes write them. The repositories type their rows with them and the domain
 * validates input against them; nothing here depends on anything else.
 */

/** users.role */
export const ROLES = ['admin', 'staff', 'doctor', 'patient'] as const;
export type Role = (typeof ROLES)[number];

/** users.status */
export const USER_STATUSES = ['active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** appointments.status */
export const APPOINTMENT_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED', 'CHECKED_IN', 'COMPLETED', 'NO_SHOW'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** The statuses that hold a slot: the exclusion constraints on appointments cover these rows only. */
export const ACTIVE_STATUSES = ['PENDING', 'APPROVED', 'CHECKED_IN'] as const satisfies readonly AppointmentStatus[];

/** audit_log.outcome */
export const AUDIT_OUTCOMES = ['success', 'denied', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
