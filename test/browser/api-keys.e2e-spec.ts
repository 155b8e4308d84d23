import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { Browser, chromium, Page } from 'playwright-core';

import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { startConsole } from '../support/portal-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SCREENSHOTS = join(__dirname, '../../artifacts/screenshots');

/** Runs axe on the page and returns the ids of serious and critical violations. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: Array<{ id: string; impact: string }> }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations.filter((item) => item.impact === 'serious' || item.impact === 'critical').map((item) => item.id);
}

describe('API key pages in a real browser', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenant: TestTenant;
  let browser: Browser;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'keys-ui', 1);
    ({ app, port } = await startConsole());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await admin?.end();
  });

  it('owner creates a key and reads the docs', async () => {
    // bypassCSP lets axe run; the pages themselves load no script.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`http://console.localhost:${port}/login`);
    await page.getByLabel('Workspace').fill(tenant.slug);
    await page.getByLabel('Email').fill(`owner@${tenant.slug}.example`);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`http://console.localhost:${port}/`);

    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('Dispatch system');
    await page.getByLabel('Access').selectOption('read_write');
    await page.getByRole('button', { name: 'Create key' }).click();

    await expect(page.getByTestId('created-key').textContent()).resolves.toMatch(/^cpk_[0-9a-f]{24}_[0-9a-f]{64}$/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-api-keys.png'), fullPage: true });

    await page.goto(`http://console.localhost:${port}/api/v1/docs`);
    expect(await page.locator('h1').textContent()).toContain('integration API');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'api-docs.png') });
    await context.close();
  });
});
