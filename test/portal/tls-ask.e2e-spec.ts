import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { freePort } from '../support/app-process';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { rawRequest, startPortal } from '../support/portal-harness';

const ASK = '/internal/tls/allowed';

/** Starts Debian's caddy with a Caddyfile and returns once it accepts TLS connections. */
async function startCaddy(directory: string, caddyfile: string, httpsPort: number): Promise<ChildProcess> {
  const installed = spawnSync('caddy', ['version'], { encoding: 'utf8' });
  if (installed.error || installed.status !== 0) {
    throw new Error("caddy is not installed: run `apt-get install -y --no-install-recommends caddy` (Debian's package, as .ci/run does)");
  }
  const file = join(directory, 'Caddyfile');
  await writeFile(file, caddyfile);
  const child = spawn('caddy', ['run', '--config', file, '--adapter', 'caddyfile'], {
    cwd: directory,
    // Caddy keeps its CA, certificates and autosaved config under these folders.
    env: { PATH: process.env.PATH, HOME: directory, XDG_DATA_HOME: join(directory, 'data'), XDG_CONFIG_HOME: join(directory, 'config') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const deadline = Date.now() + 15_000;
  while (!(await accepts(httpsPort))) {
    if (child.exitCode !== null) throw new Error(`caddy exited with ${child.exitCode}: ${output}`);
    if (Date.now() > deadline) throw new Error(`caddy did not listen on ${httpsPort} within 15 s: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return child;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const finish = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.setTimeout(1000, () => finish(false));
  });
}

interface TlsResponse {
  status: number;
  body: string;
  subjectAltName: string;
}

/**
 * GETs a path from Caddy on 127.0.0.1 as a browser that requested
 * `hostname` would. With `ca`, the certificate must chain to it and name
 * the host; without it, any certificate is accepted.
 */
function tlsGet(port: number, hostname: string, path: string, ca?: string): Promise<TlsResponse> {
  return new Promise((resolve, reject) => {
    const trust = ca ? { ca, rejectUnauthorized: true } : { rejectUnauthorized: false };
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, servername: hostname, headers: { host: hostname }, ...trust, agent: false },
      (res) => {
        const certificate = (res.socket as TLSSocket).getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), subjectAltName: certificate.subjectaltname ?? '' }),
        );
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('on-demand TLS ask endpoint', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let active: TestTenant;
  let suspended: TestTenant;
  let unverifiedHost: string;

  const ask = (domain: string, headers: Record<string, string> = {}) =>
    rawRequest(port, 'portal:3000', `${ASK}?domain=${encodeURIComponent(domain)}`, { headers });

  beforeAll(async () => {
    admin = adminPool();
    active = await provisionTestTenant(admin, 'tls-a', 1);
    suspended = await provisionTestTenant(admin, 'tls-s', 1);
    await admin.query(`UPDATE tenants SET status = 'suspended' WHERE id = $1`, [suspended.tenantId]);
    unverifiedHost = `pending.${active.slug}.test`;
    await admin.query('INSERT INTO tenant_domains (tenant_id, hostname, verification_token) VALUES ($1, $2, $3)', [
      active.tenantId,
      unverifiedHost,
      'a-token-nobody-published',
    ]);
    ({ app, port } = await startPortal());
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await admin?.end();
  });

  it('allows a verified custom domain', async () => {
    const response = await ask(`portal.${active.slug}.test`);

    expect(response.status).toBe(200);
    expect(response.body).not.toContain(active.slug);
    expect(response.body).not.toContain(active.tenantId);
  });

  it('allows the platform subdomain of an active tenant', async () => {
    expect((await ask(`${active.slug}.localhost`)).status).toBe(200);
  });

  it.each([
    ['an unknown host', () => 'nobody.example.com'],
    ['an unverified domain', () => unverifiedHost],
    ["a suspended tenant's domain", () => `portal.${suspended.slug}.test`],
    ["a suspended tenant's subdomain", () => `${suspended.slug}.localhost`],
    ['the console host', () => 'console.localhost'],
  ])('returns 404 for %s', async (_case, domain) => {
    const response = await ask(domain());

    expect(response.status).toBe(404);
    expect(response.body).toBe('not found\n');
  });

  it.each([['portal.example.com:443'], [''], ['203.0.113.7'], ['bad host.example.com'], ['\u200bportal.example.com']])('rejects malformed %j', async (domain) => {
    expect((await ask(domain)).status).toBe(400);
  });

  it('rejects a missing or repeated domain parameter', async () => {
    expect((await rawRequest(port, 'portal:3000', ASK)).status).toBe(400);
    expect((await rawRequest(port, 'portal:3000', `${ASK}?domain=a.example.com&domain=b.example.com`)).status).toBe(400);
  });

  it.each([
    ['x-forwarded-for', '198.51.100.4'],
    ['forwarded', 'for=198.51.100.4'],
    ['x-real-ip', '198.51.100.4'],
  ])('returns 404 through a proxy that sets %s', async (header, value) => {
    expect((await ask(`portal.${active.slug}.test`, { [header]: value })).status).toBe(404);
  });

  describe('behind caddy', () => {
    let caddy: ChildProcess | undefined;
    let directory: string;
    let httpsPort: number;

    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'caddy-'));
      httpsPort = await freePort();
      const httpPort = await freePort();
      const caddyfile = `{
\tadmin off
\tlocal_certs
\tskip_install_trust
\tauto_https disable_redirects
\thttp_port ${httpPort}
\thttps_port ${httpsPort}
\ton_demand_tls {
\t\task http://127.0.0.1:${port}${ASK}
\t}
}

https:// {
\tbind 127.0.0.1
\ttls {
\t\ton_demand
\t}
\treverse_proxy 127.0.0.1:${port}
}
`;
      caddy = await startCaddy(directory, caddyfile, httpsPort);
    }, 30_000);

    afterAll(async () => {
      if (caddy && caddy.exitCode === null) {
        const exited = new Promise((resolve) => caddy!.once('exit', resolve));
        caddy.kill('SIGTERM');
        await exited;
      }
      if (directory) await rm(directory, { recursive: true, force: true });
    });

    it('serves a verified domain with its own certificate', async () => {
      const hostname = `portal.${active.slug}.test`;

      const response = await tlsGet(httpsPort, hostname, '/login');

      expect(response.status).toBe(200);
      expect(response.subjectAltName).toContain(`DNS:${hostname}`);
      expect(response.body).toContain(`Brand ${active.slug}`);
      // Caddy's internal CA, which local_certs creates under XDG_DATA_HOME.
      const root = await readFile(join(directory, 'data/caddy/pki/authorities/local/root.crt'), 'utf8');
      const trusted = await tlsGet(httpsPort, hostname, '/login', root);
      expect(trusted.status).toBe(200);
    }, 30_000);

    it.each([
      ['an unverified domain', () => unverifiedHost],
      ['an unknown host', () => 'nobody.example.com'],
      ["a suspended tenant's domain", () => `portal.${suspended.slug}.test`],
    ])('gives %s no certificate', async (_case, hostname) => {
      const failure = await tlsGet(httpsPort, hostname(), '/login').then(
        () => 'served',
        (error: NodeJS.ErrnoException) => `${error.code}: ${error.message}`,
      );

      // Caddy ends the handshake with an internal_error alert when it may not get a certificate.
      expect(failure).toMatch(/alert internal error|ECONNRESET/);
    }, 30_000);
  });
});
