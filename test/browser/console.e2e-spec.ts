import { readFileSync } from 'node:fs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { Browser, chromium, Page } from 'playwright-core';

import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { startConsole } from '../support/portal-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe on the page, leaving out the elements that `exclude` selects. */
async function seriousViolations(page: Page, exclude: string[] = []): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async (excluded) => {
    const axe = (
      window as unknown as {
        axe: { run: (context: object) => Promise<{ violations: Array<{ id: string; impact: string }> }> };
      }
    ).axe;
    return (await axe.run({ include: [['html']], exclude: excluded.map((selector) => [selector]) })).violations;
  }, exclude);
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

    const invoice = await admin.query<{ id: string }>('SELECT id FROM invoices WHERE tenant_id = $1 LIMIT 1', [tenant.tenantId]);
    for (const path of [
      '/settings/users/invite',
      '/settings/users/invite-staff',
      '/settings/users/import',
      '/settings/branding',
      '/activity',
      '/records/invoices',
      `/records/invoices/${invoice.rows[0].id}`,
      '/records/inspection-reports',
    ]) {
      const response = await page.goto(`http://console.localhost:${port}${path}`);
      expect({ path, status: response?.status() }).toEqual({ path, status: 200 });
      // The branding preview shows the tenant's own colours as they are, low
      // contrast included; the page warns about those separately.
      const exclude = path === '/settings/branding' ? ['.brand-preview__frame'] : [];
      expect({ path, violations: await seriousViolations(page, exclude) }).toEqual({ path, violations: [] });
    }

    // Reset access asks once more before it signs the user out.
    await page.goto(`http://console.localhost:${port}/settings/users`);
    await page.locator('summary', { hasText: 'Reset access' }).first().click();
    expect(await page.getByRole('button', { name: /Confirm reset/ }).first().isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);

    // A form sent back with problems, which adds error text and aria attributes.
    await page.goto(`http://console.localhost:${port}/settings/users/invite`);
    await page.getByLabel('Email').fill('not an email');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    expect(await page.locator('.field-error').first().textContent()).toContain('must be an email address');
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  }, 90_000);

  it('shows the signed-out pages without serious accessibility violations', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    for (const path of ['/forgot-password', '/reset-password?workspace=nowhere&token=stale']) {
      await page.goto(`http://console.localhost:${port}${path}`);
      expect({ path, violations: await seriousViolations(page) }).toEqual({ path, violations: [] });
    }
    await context.close();
  }, 60_000);
});
