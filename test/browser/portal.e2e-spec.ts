import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

import { applyManifest } from '../../libs/provisioning/src/apply-manifest';
import { loadManifestFolder } from '../../libs/provisioning/src/manifest-loader';
import { TenantManifest } from '../../libs/provisioning/src/manifest.schema';
import { newAccessToken } from '../../libs/auth/src/access-links';
import { adminPool } from '../support/fixtures';
import { startPortal } from '../support/portal-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', '..', 'artifacts', 'screenshots');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const DEMO_PASSWORD = 'correct-horse-demo';
const TENANTS = ['brightline-fire', 'ascent-lifts'];

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core on the page and returns its serious and critical violations. */
async function seriousViolations(page: Page): Promise<Array<{ id: string; impact: string | null; targets: string[] }>> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
}

function firstActiveUser(manifest: TenantManifest): string {
  return manifest.customer_companies[0].portal_users.find((user) => user.status === 'active')!.email;
}

describe('portal in a real browser', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let browser: Browser;
  const manifests = new Map<string, TenantManifest>();

  beforeAll(async () => {
    admin = adminPool();
    for (const slug of TENANTS) {
      const loaded = await loadManifestFolder(join(__dirname, '..', '..', 'tenants', slug));
      await applyManifest(admin, loaded);
      manifests.set(slug, loaded.manifest);
    }
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
  });

  async function signIn(context: BrowserContext, slug: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`http://${slug}.localhost:${port}/login`);
    await page.getByLabel('Email').fill(firstActiveUser(manifests.get(slug)!));
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`http://${slug}.localhost:${port}/`);
    return page;
  }

  it.each(TENANTS)('shows %s its own branding and records', async (slug) => {
    const manifest = manifests.get(slug)!;
    const other = manifests.get(TENANTS.find((candidate) => candidate !== slug)!)!;
    const context = await browser.newContext({ bypassCSP: true });
    const page = await signIn(context, slug);

    expect(await page.locator('h1').textContent()).toContain(manifest.branding.company_name);
    expect(await page.locator('.brand__logo').getAttribute('alt')).toBe(manifest.branding.company_name);
    const headerColour = await page.locator('.site-header').evaluate((element) => getComputedStyle(element).backgroundColor);
    const [red, green, blue] = [1, 3, 5].map((offset) => parseInt(manifest.branding.primary_color.slice(offset, offset + 2), 16));
    expect(headerColour).toBe(`rgb(${red}, ${green}, ${blue})`);
    expect(await page.locator('footer').textContent()).toContain(`${slug}.localhost`);
    const user = manifest.customer_companies[0].portal_users.find((candidate) => candidate.status === 'active')!;
    expect(await page.locator('.account__who').textContent()).toContain(user.name ?? user.email);
    expect(await page.locator('.account__who').textContent()).toContain(manifest.customer_companies[0].name);

    await page.getByRole('link', { name: 'Invoices' }).first().click();
    await page.waitForURL(/\/invoices$/);
    const invoiceLink = page.locator('tbody th a').first();
    const invoiceNumber = (await invoiceLink.textContent())!.trim();
    const ownNumbers = manifest.customer_companies[0].invoices.map((invoice) => invoice.number);
    const otherNumbers = other.customer_companies.flatMap((company) => company.invoices.map((invoice) => invoice.number));
    expect(ownNumbers).toContain(invoiceNumber);
    expect(otherNumbers).not.toContain(invoiceNumber);
    await invoiceLink.click();
    await page.waitForURL(/\/invoices\/[0-9a-f-]{36}$/);
    expect(await page.locator('h1').textContent()).toContain(invoiceNumber);

    await page.getByRole('link', { name: 'Equipment' }).first().click();
    await page.waitForURL(/\/equipment$/);
    await page.locator('tbody th a').first().click();
    await page.waitForURL(/\/equipment\/[0-9a-f-]{36}$/);
    expect(await page.getByRole('heading', { name: /inspection history/i }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: /warranty/i }).count()).toBeGreaterThanOrEqual(1);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`http://${slug}.localhost:${port}/invoices`);
    expect(page.url()).toContain('/login');
    await context.close();
  }, 60_000);

  /** Stores a set-password link for an invited user of the tenant, as the worker would, and returns its token. */
  async function setPasswordLink(slug: string): Promise<string> {
    const { token, hash } = newAccessToken();
    await admin.query(
      `WITH invited AS (
         INSERT INTO portal_users (tenant_id, company_id, email, status)
         SELECT t.id, (SELECT id FROM customer_companies WHERE tenant_id = t.id LIMIT 1), $2, 'invited'
         FROM tenants t WHERE t.slug = $1 RETURNING tenant_id, id)
       INSERT INTO access_tokens (tenant_id, purpose, portal_user_id, token_hash, expires_at)
       SELECT tenant_id, 'invitation', id, $3, now() + interval '1 day' FROM invited`,
      [slug, `axe-${hash.toString('hex').slice(0, 8)}@example.com`, hash],
    );
    return token;
  }

  it('reports no serious accessibility violations', async () => {
    const slug = TENANTS[0];
    const context = await browser.newContext({ bypassCSP: true });
    const login = await context.newPage();
    await login.goto(`http://${slug}.localhost:${port}/login`);
    expect(await seriousViolations(login)).toEqual([]);

    const token = await setPasswordLink(slug);
    for (const path of ['/forgot-password', `/set-password?token=${token}`, '/set-password?token=stale']) {
      await login.goto(`http://${slug}.localhost:${port}${path}`);
      expect({ path, violations: await seriousViolations(login) }).toEqual({ path, violations: [] });
    }
    await login.getByRole('link', { name: 'Get a new link' }).click();
    await login.getByLabel('Email').fill('someone@example.com');
    await login.getByRole('button', { name: 'Send me a link' }).click();
    expect(await login.getByRole('status').textContent()).toContain('If an account with that address');
    expect(await seriousViolations(login)).toEqual([]);

    const page = await signIn(context, slug);
    const paths = ['/', ...(await page.locator('.site-nav a').evaluateAll((links) => links.map((link) => link.getAttribute('href')!)))];
    for (const path of [...new Set(paths)]) {
      await page.goto(`http://${slug}.localhost:${port}${path}`);
      expect({ path, violations: await seriousViolations(page) }).toEqual({ path, violations: [] });

      const detail = page.locator('tbody th a').first();
      if ((await detail.count()) > 0) {
        await detail.click();
        await page.waitForLoadState();
        expect({ path: page.url(), violations: await seriousViolations(page) }).toEqual({ path: page.url(), violations: [] });
      }
    }
    await context.close();
  }, 120_000);

  it.each([
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ])('takes %s screenshots of the dashboard and a list', async (name, viewport) => {
    const context = await browser.newContext({ viewport });
    const page = await signIn(context, TENANTS[0]);
    await page.screenshot({ path: join(SCREENSHOTS, `dashboard-${name}.png`), fullPage: true });
    await page.goto(`http://${TENANTS[0]}.localhost:${port}/invoices`);
    await page.screenshot({ path: join(SCREENSHOTS, `invoices-${name}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // Narrow screens scroll tables sideways, which must stay usable by keyboard.
    await page.locator('tbody th a').first().click();
    await page.waitForURL(/\/invoices\/[0-9a-f-]{36}$/);
    const checked = await browser.newContext({ viewport, bypassCSP: true });
    const detail = await checked.newPage();
    await checked.addCookies(await context.cookies());
    await detail.goto(page.url());
    expect(await seriousViolations(detail)).toEqual([]);
    await checked.close();
    await context.close();
  }, 60_000);
});
