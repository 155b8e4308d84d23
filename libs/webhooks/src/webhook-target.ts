import type { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

import { createDnsResolver } from '../../domains/src/dns-resolver';
import { forbiddenKind } from './target-address';

export const MAX_WEBHOOK_URL_LENGTH = 2000;

/** A URL or address that may not receive webhooks; the message names the field and the reason. */
export class WebhookTargetError extends Error {
  constructor(readonly reason: string) {
    super(`url: ${reason}`);
    this.name = 'WebhookTargetError';
  }
}

/** A checked URL and the addresses its host resolved to, every one of them allowed. */
export interface VettedTarget {
  url: URL;
  addresses: Array<{ address: string; family: 4 | 6 }>;
}

export interface TargetPolicy {
  /** Lets loopback, private and other internal addresses through, for development receivers. */
  allowPrivate: boolean;
}

/**
 * Parses a webhook URL with the WHATWG parser, which also turns odd IPv4
 * spellings such as 2130706433, 0x7f.1 and 127.1 into 127.0.0.1, so the
 * address checks see the address a client would connect to.
 */
export function parseWebhookUrl(raw: string): URL {
  const text = raw.trim();
  if (text === '') throw new WebhookTargetError('is missing; enter the https:// address that receives the events');
  if (text.length > MAX_WEBHOOK_URL_LENGTH) throw new WebhookTargetError(`is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookTargetError('is not a valid URL; enter a full address such as https://hooks.example.com/portal');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new WebhookTargetError(`uses ${url.protocol.slice(0, -1)}; only http and https URLs are allowed`);
  }
  if (url.username || url.password) {
    throw new WebhookTargetError('contains a user name or password; authenticate the request with the signature instead');
  }
  if (url.hash) throw new WebhookTargetError('contains a #fragment, which is never sent to the server; remove it');
  return url;
}

/** Returns the URL's host as an IP address without brackets, or null when it is a host name. */
function ipLiteral(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) === 0 ? null : host;
}

function isLocalhostName(hostname: string): boolean {
  const name = hostname.replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

function familyOf(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

/**
 * Resolves webhook host names and rejects any that lead to an internal
 * address. The same check runs when staff save an endpoint and again before
 * every delivery, whose connection then goes to the checked addresses only.
 */
export class WebhookTargetResolver {
  private readonly resolver: Resolver;

  constructor(
    dnsServers: string[],
    private readonly policy: TargetPolicy,
    timeoutMs = 5000,
  ) {
    this.resolver = createDnsResolver(dnsServers, timeoutMs);
  }

  /** Checks the URL and every address of its host; throws WebhookTargetError naming the first problem. */
  async vet(raw: string | URL): Promise<VettedTarget> {
    const url = typeof raw === 'string' ? parseWebhookUrl(raw) : raw;
    const literal = ipLiteral(url);
    if (literal) {
      this.check(literal, 'is');
      return { url, addresses: [{ address: literal, family: familyOf(literal) }] };
    }

    // RFC 6761 reserves localhost and its subdomains for loopback, whatever a DNS server returns.
    const addresses = isLocalhostName(url.hostname) ? ['127.0.0.1', '::1'] : await this.resolve(url.hostname);
    for (const address of addresses) this.check(address, 'resolves to');
    return { url, addresses: addresses.map((address) => ({ address, family: familyOf(address) })) };
  }

  private check(address: string, verb: 'is' | 'resolves to'): void {
    if (this.policy.allowPrivate) return;
    const kind = forbiddenKind(address);
    if (!kind) return;
    const article = /^[aeiou]/.test(kind) ? 'an' : 'a';
    throw new WebhookTargetError(`${verb} ${article} ${kind} address ${address}; webhooks must reach a public address`);
  }

  private async resolve(hostname: string): Promise<string[]> {
    const name = hostname.replace(/\.$/, '');
    const [v4, v6] = await Promise.all([this.lookup(() => this.resolver.resolve4(name)), this.lookup(() => this.resolver.resolve6(name))]);
    const addresses = [...v4, ...v6];
    if (addresses.length === 0) {
      throw new WebhookTargetError(`host name ${name} could not be resolved; check the spelling and its DNS records`);
    }
    return addresses;
  }

  /** Runs one query; a name without records of that family gives an empty list, a failed lookup an error. */
  private async lookup(query: () => Promise<string[]>): Promise<string[]> {
    try {
      return await query();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENODATA' || code === 'ENOTFOUND') return [];
      throw new WebhookTargetError(`host name lookup failed (${code ?? 'unknown error'}); try again later`);
    }
  }
}
