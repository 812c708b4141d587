import type { StaffRole } from '../db/schema.js';

export const STAFF_ROLES = ['agent', 'lead', 'manager', 'admin', 'auditor'] as const satisfies readonly StaffRole[];

/** Approver tiers in ascending order of authority. */
export type ApproverRole = 'lead' | 'manager';

const APPROVAL_RANK: Readonly<Record<StaffRole, number>> = { agent: 0, auditor: 0, lead: 1, manager: 2, admin: 3 };
const REQUIRED_RANK: Readonly<Record<ApproverRole, number>> = { lead: 1, manager: 2 };

/** True when a staff role may approve a case that needs `required`. */
export function canApprove(role: StaffRole, required: ApproverRole): boolean {
  return APPROVAL_RANK[role] >= REQUIRED_RANK[required];
}

/** Roles that may open refund cases. */
export function canRequestRefunds(role: StaffRole): boolean {
  return role === 'agent' || role === 'lead' || role === 'manager' || role === 'admin';
}
