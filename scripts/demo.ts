import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'pg';

import '../libs/db/src/pg-types';
import { loadConfig } from '../libs/config/src';
import { migrate } from '../libs/db/src/migrator';
import { applyManifest } from '../libs/provisioning/src/apply-manifest';
import { demoTenantFolders } from '../libs/provisioning/src/cli';
import { loadManifestFolder } from '../libs/provisioning/src/manifest-loader';
import { startMailCatcher } from './mail-catcher';

const ROOT = join(__dirname, '..');
const APPS = ['portal', 'console', 'worker'] as const;

/** Migrates, provisions every demo tenant, then runs the three apps until Ctrl-C. */
async function main(): Promise<void> {
  const config = loadConfig();
  const applied = await migrate(config.DATABASE_URL);
  console.log(applied.length > 0 ? `Migrated: ${applied.join(', ')}` : 'Database is up to date');

  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 1 });
  const tenants: Array<{ slug: string; name: string; login: string | null; staff: string | null }> = [];
  try {
    for (const folder of await demoTenantFolders()) {
      const loaded = await loadManifestFolder(folder);
      const result = await applyManifest(pool, loaded);
      console.log(`Provisioned ${result.slug}: ${result.written} rows written, ${result.unchanged} unchanged`);
      const user = loaded.manifest.customer_companies
        .flatMap((company) => company.portal_users)
        .find((candidate) => candidate.status === 'active' && candidate.password);
      const owner = loaded.manifest.staff_users.find((candidate) => candidate.role === 'owner' && candidate.password);
      tenants.push({
        slug: loaded.manifest.slug,
        name: loaded.manifest.name,
        login: user ? `${user.email} / ${user.password}` : null,
        staff: owner ? `workspace ${loaded.manifest.slug}, ${owner.email} / ${owner.password}` : null,
      });
    }
  } finally {
    await pool.end();
  }

  // The demo's mail goes to a local catcher unless SMTP_URL names a real server.
  let mailPage: string | null = null;
  if (!process.env.SMTP_URL) {
    const smtpPort = Number(process.env.MAIL_CATCHER_SMTP_PORT ?? 1025);
    const webPort = Number(process.env.MAIL_CATCHER_PORT ?? 1080);
    const catcher = await startMailCatcher(smtpPort, webPort).catch((error: NodeJS.ErrnoException & { port?: number }) => {
      const variable = error.port === webPort ? 'MAIL_CATCHER_PORT' : 'MAIL_CATCHER_SMTP_PORT';
      const detail = error.code === 'EADDRINUSE' ? `port ${error.port} is already in use` : error.message;
      console.error(`The demo mail catcher could not start: ${detail}. Set ${variable} to a free port, or SMTP_URL to a real SMTP server.`);
      process.exit(1);
    });
    // The apps read SMTP_URL, so they send to wherever the catcher listens.
    process.env.SMTP_URL = `smtp://127.0.0.1:${catcher.smtpPort}`;
    mailPage = `http://127.0.0.1:${catcher.webPort}`;
    process.on('exit', () => void catcher.close());
  }

  // The demo runs on one machine, so a webhook receiver there listens on a
  // loopback address, which the address check otherwise rejects.
  process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS ??= 'true';

  const ports = { portal: config.PORTAL_PORT, console: config.CONSOLE_PORT, worker: config.WORKER_PORT };
  const variables = { portal: 'PORTAL_PORT', console: 'CONSOLE_PORT', worker: 'WORKER_PORT' };
  const children: ChildProcess[] = APPS.map((app) =>
    spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'apps', app, 'src', 'main.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // No load balancer sits in front of the demo, so the apps stop listening at once on Ctrl-C.
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', SHUTDOWN_DRAIN_DELAY_MS: process.env.SHUTDOWN_DRAIN_DELAY_MS ?? '0' },
    }),
  );
  let stopping = false;
  const stop = () => {
    stopping = true;
    children.forEach((child) => child.kill('SIGTERM'));
    // Leave once the apps are gone; the mail catcher's sockets would keep the process alive.
    setTimeout(() => process.exit(), 2000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  let failed = false;
  children.forEach((child, index) =>
    child.on('exit', (code, signal) => {
      if (!failed && !stopping) console.log(`${APPS[index]} stopped (${signal ?? `exit code ${code}`}); stopping the others.`);
      if (code !== 0 && code !== null && !failed) {
        failed = true;
        const app = APPS[index];
        console.error(
          `${app} exited with code ${code}. If port ${ports[app]} or its metrics port is in use, set ${variables[app]} or ${app.toUpperCase()}_METRICS_PORT to a free port.`,
        );
        process.exitCode = 1;
      }
      stop();
    }),
  );

  // The URLs are printed only once every app reports that it listens.
  const listening = await Promise.all(children.map((child) => waitForListening(child)));
  if (failed || listening.includes(false)) {
    process.exitCode = 1;
    stop();
    return;
  }

  console.log('\nDemo portals (Ctrl-C stops everything):');
  for (const tenant of tenants) {
    console.log(`  ${tenant.name}: http://${tenant.slug}.localhost:${config.PORTAL_PORT}`);
    if (tenant.login) console.log(`    sign in as ${tenant.login}`);
    if (tenant.staff) console.log(`    staff console: ${tenant.staff}`);
  }
  console.log(
    `Console: http://${config.CONSOLE_HOST}:${config.CONSOLE_PORT}  Worker health: http://127.0.0.1:${config.WORKER_PORT}/health`,
  );
  if (mailPage) console.log(`Mail sent by the demo: ${mailPage}`);
}

/** Resolves true when the app sends 'listening', false when it exits first or takes over 60 seconds. */
function waitForListening(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      console.error('An app did not start listening within 60 seconds.');
      resolve(false);
    }, 60_000);
    child.on('message', (message) => {
      if (message === 'listening') {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
