import { Resolver } from 'node:dns/promises';

/**
 * Builds a DNS resolver on DNS_SERVERS, or on the operating system's
 * servers when the list is empty. Each query is tried twice, each try
 * waiting at most `timeoutMs`.
 */
export function createDnsResolver(dnsServers: string[], timeoutMs: number): Resolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (dnsServers.length > 0) resolver.setServers(dnsServers);
  return resolver;
}
