import { isIP } from 'node:net';

/** A missing or malformed environment variable; the message names it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function text(raw: string): string {
  return raw;
}

export function port(raw: string, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigError(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  }
  return value;
}

export function positiveInteger(raw: string, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

export function url(protocols: string[]) {
  return (raw: string, name: string): string => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(`${name} must be a URL such as ${protocols[0]}//host:port, got an unparseable value`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
    }
    if (!parsed.hostname) throw new ConfigError(`${name} must name a host`);
    return raw;
  };
}

export function hostname(raw: string, name: string): string {
  const value = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(value)) {
    throw new ConfigError(`${name} must be a host name such as portal.example.com, got "${raw}"`);
  }
  return value;
}

export function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string, name: string): T => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  };
}

export function list(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
/** Reads a 256-bit key written as 64 hex digits or as 44 characters of base64. */
export function aes256Key(raw: string, name: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(raw) && key.toString('base64') !== raw)) {
    throw new ConfigError(`${name} must be 32 random bytes as 64 hex digits or base64, such as the output of "openssl rand -hex 32"`);
  }
  return key;
}

/** Reads a comma-separated list of DNS servers, each an IP address with an optional port (1.2.3.4:53 or [::1]:53). */
export function dnsServers(raw: string, name: string): string[] {
  const servers = list(raw);
  for (const server of servers) {
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
    const ipv4 = /^([\d.]+)(?::(\d+))?$/.exec(server);
    const [address, portText] = bracketed ? [bracketed[1], bracketed[2]] : ipv4 ? [ipv4[1], ipv4[2]] : [server, undefined];
    const problem = `${name} must list IP addresses with optional ports, such as 127.0.0.1:5353 or [::1]:53, got "${server}"`;
    if (isIP(address) === 0) throw new ConfigError(problem);
    if (portText !== undefined && port(portText, name) === 0) throw new ConfigError(problem);
  }
  return servers;
}

export function flag(raw: string, name: string): boolean {
  return oneOf(['true', 'false'] as const)(raw, name) === 'true';
}
