import type { Kysely } from 'kysely';
import { verifyAllOrganisations } from '../audit/verify-chain.js';
import type { Database } from '../db/schema.js';

/**
 * `audit:verify`: checks every organisation's audit chain and prints one line per organisation.
 * Returns the process exit code: 0 when every chain holds, 1 when any is broken.
 */
export async function runAuditVerify(db: Kysely<Database>, out: (line: string) => void): Promise<number> {
  let exitCode = 0;
  for (const { slug, result } of await verifyAllOrganisations(db)) {
    if (result.ok) {
      out(`org ${slug}: OK, ${result.checked} events`);
    } else {
      const { seq, id, reason } = result.firstBroken;
      out(`org ${slug}: BROKEN at seq ${seq} (row id ${id}): ${reason}`);
      exitCode = 1;
    }
  }
  return exitCode;
}
