import type Redis from 'ioredis';

export interface ThrottleLimits {
  /** Attempts allowed per account within the window. */
  perAccount: number;
  /** Attempts allowed per client address within the window; higher, since offices share one address. */
  perAddress: number;
  windowSeconds: number;
}

export interface AttemptVerdict {
  admitted: boolean;
  firstRejection: boolean;
}

// Counts an attempt on both keys and returns both counts in one atomic step,
// so concurrent attempts cannot all pass a check made before any was counted.
const COUNT_ATTEMPT = `
local account = redis.call('INCR', KEYS[1])
if account == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local address = redis.call('INCR', KEYS[2])
if address == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
return {account, address}`;

/**
 * Limits sign-in attempts per account and per client address in fixed Redis
 * windows. Every attempt is counted before the password is checked; an
 * attempt over either limit is rejected without a check. A success clears
 * the account's count and returns its slot on the address count.
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly limits: ThrottleLimits,
    private readonly scope: string,
  ) {}

  private keys(tenantId: string, email: string, ip: string): [string, string] {
    return [`login:${this.scope}:${tenantId}:account:${email}`, `login:${this.scope}:${tenantId}:ip:${ip}`];
  }

  /** Counts one attempt and returns false when it is over either limit. */
  async admit(tenantId: string, email: string, ip: string): Promise<boolean> {
    return (await this.attempt(tenantId, email, ip)).admitted;
  }

  /**
   * Counts one attempt. `firstRejection` is true for the attempt that first
   * goes over the account or the address limit in the current window, so a
   * caller can log a lockout once instead of once per rejected attempt.
   */
  async attempt(tenantId: string, email: string, ip: string): Promise<AttemptVerdict> {
    const [account, address] = (await this.redis.eval(
      COUNT_ATTEMPT,
      2,
      ...this.keys(tenantId, email, ip),
      this.limits.windowSeconds,
    )) as [number, number];
    const { perAccount, perAddress } = this.limits;
    const admitted = account <= perAccount && address <= perAddress;
    return { admitted, firstRejection: !admitted && (account === perAccount + 1 || address === perAddress + 1) };
  }

  /** Clears the account's count, as after a password reset, so the new password works at once. */
  async clearAccount(tenantId: string, email: string): Promise<void> {
    await this.redis.del(this.keys(tenantId, email, '')[0]);
  }

  async recordSuccess(tenantId: string, email: string, ip: string): Promise<void> {
    const [accountKey, addressKey] = this.keys(tenantId, email, ip);
    await this.redis.multi().del(accountKey).decr(addressKey).exec();
  }
}
