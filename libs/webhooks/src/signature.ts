import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Portal-Signature';
export const EVENT_ID_HEADER = 'Portal-Event-Id';
export const EVENT_TYPE_HEADER = 'Portal-Event-Type';

/** Returns the hex HMAC-SHA256 of `<timestamp>.<body>` under the endpoint's secret, as its UTF-8 bytes. */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** Builds the signature header value, `t=<unix seconds>,v1=<hex>`. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}

/**
 * Checks a signature header the way a receiver should: the HMAC must match
 * and the timestamp must be within `toleranceSeconds` of `now`, so an old
 * request replayed later fails.
 */
export function verifySignature(secret: string, header: string, body: string, now: number, toleranceSeconds = 300): boolean {
  const parts = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(parts.get('t'));
  const received = parts.get('v1') ?? '';
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > toleranceSeconds) return false;
  const expected = signatureOf(secret, timestamp, body);
  return received.length === expected.length && timingSafeEqual(Buffer.from(received), Buffer.from(expected));
}
