import * as argon2 from 'argon2';

// argon2id at the OWASP password storage minimum (19 MiB, 2 passes, 1 lane):
// about 20 ms per hash on one core of a 2-core test machine.
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

/** Verifies a password; a malformed stored hash counts as a mismatch. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same work as a real check when the account does not exist, so
 * response time does not reveal which emails are registered.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('not-a-real-password-for-timing-only');
  await verifyPassword(await dummyHash, password);
  return false;
}

/**
 * Checks a password against an account that may be missing or inactive.
 * Such an account costs one hash like any other, so timing does not reveal it.
 */
export async function passwordMatches(
  account: { status: string; password_hash: string | null } | undefined,
  password: string,
): Promise<boolean> {
  if (account && account.status === 'active' && account.password_hash) {
    return verifyPassword(account.password_hash, password);
  }
  return verifyAgainstDummy(password);
}
