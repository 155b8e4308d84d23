import { request as httpRequest } from 'node:http';
import { Pool } from 'pg';

import { generateApiKey } from '../../apps/console/src/api/keys/api-key-secret';

export const CONSOLE_HOST = 'console.localhost';

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, or undefined when the body is not JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface ApiRequestOptions {
  key?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, for malformed bodies. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

/** Sends one request to the console's integration API on 127.0.0.1. */
export function apiRequest(port: number, method: string, path: string, options: ApiRequestOptions = {}): Promise<ApiResponse> {
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = { host: CONSOLE_HOST, ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Inserts an API key for a tenant as the migrating user and returns the full key. */
export async function insertApiKey(admin: Pool, tenantId: string, scope: 'read' | 'read_write', name = 'Test key'): Promise<string> {
  const key = generateApiKey();
  await admin.query(
    `INSERT INTO api_keys (tenant_id, public_id, name, scope, secret_hash) VALUES ($1, $2, $3, $4, $5)`,
    [tenantId, key.publicId, name, scope, key.secretHash],
  );
  return key.fullKey;
}
