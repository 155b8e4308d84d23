import type { ChildProcess } from 'node:child_process';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { Browser, chromium } from 'playwright-core';

import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { startPortal } from '../support/portal-harness';
import { startAppProcess, stopAppProcess } from '../support/app-process';
import { MailWorker, startMailWorker } from '../support/mail-worker';
import { decodeQuotedPrintable, linkIn, waitForMail } from '../support/smtp-sink';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const NEW_PASSWORD = 'meadow-copper-kettle-19';

/**
 * The whole invitation journey with every part real: the console in its own
 * process, the worker sending through an SMTP server, the portal, and
 * Chromium driving both sites as the staff user and then the customer.
 */
describe('invitation journey in a real browser', () => {
  let mail: MailWorker;
  let portal: NestExpressApplication;
  let portalPort: number;
  let consoleApp: { child: ChildProcess; port: number } | undefined;
  let admin: Pool;
  let tenant: TestTenant;
  let browser: Browser;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'journey');
    ({ app: portal, port: portalPort } = await startPortal());
    // Links in emails follow configuration: the tenant's primary host on the port this portal listens on.
    mail = await startMailWorker({ PORTAL_PUBLIC_URL_TEMPLATE: `http://{host}:${portalPort}` });
    consoleApp = await startAppProcess('console');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // The tenant's primary host is a made-up name; every name resolves to loopback here.
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--host-resolver-rules=MAP * 127.0.0.1'],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stopAppProcess(consoleApp?.child);
    await mail?.stop();
    await portal?.close();
    await admin.end();
  });

  async function numbersOf(table: string, where: string, params: unknown[]): Promise<string[]> {
    const result = await admin.query<{ number: string }>(`SELECT number FROM ${table} WHERE tenant_id = $1 AND ${where}`, [tenant.tenantId, ...params]);
    return result.rows.map((row) => row.number);
  }

  it('takes a customer from the staff invitation to their shared records', async () => {
    const company = await admin.query<{ id: string; name: string }>('SELECT id, name FROM customer_companies WHERE tenant_id = $1 ORDER BY external_id', [
      tenant.tenantId,
    ]);
    const [mine, theirs] = company.rows;
    const email = 'journey.customer@journey.example';

    const staff = await browser.newContext();
    const consolePage = await staff.newPage();
    const consoleUrl = `http://console.localhost:${consoleApp!.port}`;
    await consolePage.goto(`${consoleUrl}/login`);
    await consolePage.getByLabel('Workspace').fill(tenant.slug);
    await consolePage.getByLabel('Email').fill(`owner@${tenant.slug}.example`);
    await consolePage.getByLabel('Password').fill(TEST_PASSWORD);
    await consolePage.getByRole('button', { name: 'Sign in' }).click();
    await consolePage.waitForURL(`${consoleUrl}/`);

    await consolePage.goto(`${consoleUrl}/settings/users`);
    await consolePage.getByRole('link', { name: 'Invite a portal user' }).click();
    await consolePage.getByLabel('Email').fill(email);
    await consolePage.getByLabel('Customer company').selectOption(mine.id);
    await consolePage.getByLabel('Name').fill('Jordan Journey');
    await consolePage.getByRole('button', { name: 'Send invitation' }).click();
    await consolePage.waitForURL(/done=invited/);
    expect(await consolePage.getByRole('status').textContent()).toContain('Invitation sent');
    await staff.close();

    const [message] = await waitForMail(mail.received, email);
    const body = decodeQuotedPrintable(message.raw);
    expect(body).toContain(`Brand ${tenant.slug}`);
    expect(body).toContain('background:#123456');
    expect(body).toContain(mine.name);
    const link = linkIn(message, '/set-password');
    expect(link.host).toBe(`portal.${tenant.slug}.test:${portalPort}`);

    const customer = await browser.newContext();
    const page = await customer.newPage();
    await page.goto(link.toString());
    expect(await page.locator('h1').textContent()).toContain(`Welcome to Brand ${tenant.slug}`);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Save password and sign in' }).click();
    await page.waitForURL(`http://portal.${tenant.slug}.test:${portalPort}/?welcome=1`);
    expect(await page.locator('body').textContent()).toContain(mine.name);

    await page.goto(`http://portal.${tenant.slug}.test:${portalPort}/invoices`);
    const listed = (await page.locator('main').textContent()) ?? '';
    const sharedMine = await numbersOf('invoices', 'company_id = $2 AND shared_at IS NOT NULL', [mine.id]);
    const hidden = [
      ...(await numbersOf('invoices', 'company_id = $2 AND shared_at IS NULL', [mine.id])),
      ...(await numbersOf('invoices', 'company_id = $2', [theirs.id])),
    ];
    expect(sharedMine.length).toBeGreaterThan(0);
    for (const number of sharedMine) expect(listed).toContain(number);
    for (const number of hidden) expect(listed).not.toContain(number);

    // The link was spent: opening it again shows the one "no longer works" page.
    await page.goto(link.toString());
    expect(await page.locator('h1').textContent()).toContain('This link no longer works');
    await customer.close();
  }, 90_000);
});
