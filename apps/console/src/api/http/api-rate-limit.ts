import type Redis from 'ioredis';

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Seconds until the current window ends and the count starts again. */
  resetSeconds: number;
  allowed: boolean;
}

const WINDOW_SECONDS = 60;

/**
 * Counts a request against the key's fixed one-minute window in Redis. The
 * increment and the expiry run in one MULTI, so a count never outlives its
 * window. A burst at a window's end and the next window's start can pass up
 * to twice the limit within a minute.
 */
export async function countApiRequest(redis: Redis, keyId: string, limit: number, now = Date.now()): Promise<RateLimitState> {
  const windowStart = Math.floor(now / 1000 / WINDOW_SECONDS) * WINDOW_SECONDS;
  const resetSeconds = Math.max(1, windowStart + WINDOW_SECONDS - Math.floor(now / 1000));
  const counter = `api:rate:${keyId}:${windowStart}`;
  const results = await redis.multi().incr(counter).expire(counter, WINDOW_SECONDS + 5).exec();
  const count = Number(results?.[0]?.[1] ?? limit + 1);
  return { limit, remaining: Math.max(0, limit - count), resetSeconds, allowed: count <= limit };
}
