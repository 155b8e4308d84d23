import { readFileSync } from 'node:fs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { Browser, chromium, Page } from 'playwright-core';

import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { startConsole } from '../support/portal-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: Array<{ id: string; impact: string }> }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations.filter((item) => item.impact === 'serious' || item.impact === 'critical').map((item) => item.id);
}

describe('staff console in a real browser', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let browser: Browser;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'console-ui');
    ({ app, port } = await startConsole());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await admin?.end();
  });

  it('signs in and shows pages without serious accessibility violations', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`http://console.localhost:${port}/login`);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Workspace').fill(tenant.slug);
    await page.getByLabel('Email').fill(`owner@${tenant.slug}.example`);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`http://console.localhost:${port}/`);
    expect(await page.locator('h1').textContent()).toContain(`Tenant ${tenant.slug}`);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Users' }).first().click();
    await page.waitForURL(/\/settings\/users$/);
    expect(await page.locator('tbody').first().textContent()).toContain(tenant.companies[0].email);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);
});
