import type { Resolver } from 'node:dns/promises';

import { verificationRecordName, verificationRecordValue } from './domain-name';

/** Outcome of one check: verified, or the reason staff see. */
export type VerificationResult = { verified: true } | { verified: false; reason: string };

/**
 * Looks up the `_portal-verification.<hostname>` TXT records and compares
 * each one, its strings joined as RFC 7208 joins them, with the expected value.
 */
export async function checkVerificationRecord(resolver: Resolver, hostname: string, token: string): Promise<VerificationResult> {
  const name = verificationRecordName(hostname);
  let records: string[][];
  try {
    records = await resolver.resolveTxt(name);
  } catch (error) {
    return { verified: false, reason: lookupFailure(name, (error as NodeJS.ErrnoException).code) };
  }

  const expected = verificationRecordValue(token);
  if (records.some((strings) => strings.join('') === expected)) return { verified: true };
  return {
    verified: false,
    reason: `${name} has ${records.length} TXT record(s), none of them ${expected}`,
  };
}

function lookupFailure(name: string, code: string | undefined): string {
  switch (code) {
    case 'ENOTFOUND':
      return `${name} does not exist (NXDOMAIN); publish the TXT record and try again`;
    case 'ENODATA':
      return `${name} has no TXT record; publish the TXT record and try again`;
    case 'ETIMEOUT':
      return `DNS lookup of ${name} timed out; try again later`;
    default:
      return `DNS lookup of ${name} failed (${code ?? 'unknown error'}); try again later`;
  }
}
