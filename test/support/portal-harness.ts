import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';

import { createConsoleApp } from '../../apps/console/src/console.app';
import { createPortalApp } from '../../apps/portal/src/portal.app';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  form?: Record<string, string>;
}

/** Starts the real portal application on a free loopback port. */
export async function startPortal(): Promise<{ app: NestExpressApplication; port: number }> {
  const app = await createPortalApp();
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, port };
}

/** Starts the real staff console on a free loopback port. */
export async function startConsole(): Promise<{ app: NestExpressApplication; port: number }> {
  const app = await createConsoleApp();
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, port };
}

/** Sends one request to 127.0.0.1 with any Host header, as a forged client could. */
export function rawRequest(port: number, host: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const headers: Record<string, string> = { host, ...options.headers };
  if (body !== undefined) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? (body !== undefined ? 'POST' : 'GET'), headers, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Extracts the CSRF token from a rendered form. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('page has no CSRF token');
  return match[1];
}

/** A browser-like client for one host: keeps cookies, sends the Host header. */
export class PortalClient {
  private readonly cookies = new Map<string, string>();

  constructor(
    readonly port: number,
    readonly host: string,
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  setCookieHeader(value: string): void {
    for (const pair of value.split(';')) {
      const [name, ...rest] = pair.trim().split('=');
      if (name) this.cookies.set(name, rest.join('='));
    }
  }

  async request(path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const cookie = this.cookieHeader();
    const response = await rawRequest(this.port, this.host, path, {
      ...options,
      headers: { ...(cookie ? { cookie } : {}), ...options.headers },
    });
    const setCookie = response.headers['set-cookie'] ?? [];
    for (const header of setCookie) {
      const [pair] = header.split(';');
      const [name, ...rest] = pair.split('=');
      this.cookies.set(name, rest.join('='));
    }
    return response;
  }

  get(path: string): Promise<HttpResponse> {
    return this.request(path);
  }

  /** Submits a form with the CSRF token of the page it came from. */
  async submit(pagePath: string, action: string, form: Record<string, string>): Promise<HttpResponse> {
    const page = await this.get(pagePath);
    return this.request(action, { form: { _csrf: csrfFrom(page.body), ...form } });
  }

  /** Signs in and returns the login response (303 on success). */
  login(email: string, password: string): Promise<HttpResponse> {
    return this.submit('/login', '/login', { email, password, next: '/' });
  }
}
