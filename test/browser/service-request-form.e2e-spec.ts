import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { Browser, chromium } from 'playwright-core';

import { seriousAxeViolations } from '../support/axe';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { pngImage } from '../support/images';
import { startPortal } from '../support/portal-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', '..', 'artifacts', 'screenshots');

describe('service request form in a browser', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let browser: Browser;
  let tenant: TestTenant;
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'request-browser-'));
    process.env.STORAGE_LOCAL_DIR = folder;
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'sr-browser');
    ({ app, port } = await startPortal());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await admin?.end();
    await rm(folder, { recursive: true, force: true });
    delete process.env.STORAGE_LOCAL_DIR;
  });

  it('submits with a photo and passes axe', async () => {
    // bypassCSP lets the test inject axe-core as an inline script; the pages themselves load no inline script.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const base = `http://${tenant.slug}.localhost:${port}`;
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill(tenant.companies[0].email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);

    await page.getByRole('link', { name: 'New service request' }).click();
    await page.waitForURL(`${base}/service-requests/new`);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // An empty description comes back with the reason beside the field and the other choices kept.
    await page.getByLabel('Site').selectOption({ index: 1 });
    await page.getByLabel('Category').selectOption('fire_alarm');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(`${base}/service-requests/new`);
    expect(await page.locator('#description-problem').textContent()).toBe('Describe the problem or the work you need.');
    expect(await page.getByLabel('Category').inputValue()).toBe('fire_alarm');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'service-request-form-error.png'), fullPage: true });

    await page.getByLabel('Description').fill('The panel shows a trouble light on zone 3.');
    await page.getByLabel('Photos or PDFs (optional)').setInputFiles({ name: 'panel.png', mimeType: 'image/png', buffer: pngImage(8, 8) });
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(/\/service-requests\/[0-9a-f-]{36}\?submitted=created$/);
    expect(await page.locator('h1').textContent()).toMatch(/Service request SR-\d{6}/);
    expect(await page.getByRole('link', { name: 'panel.png' }).count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'service-request-detail.png'), fullPage: true });
    await context.close();
  }, 60_000);
});
