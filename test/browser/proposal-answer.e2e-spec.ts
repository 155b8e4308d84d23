import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { Browser, chromium, Page } from 'playwright-core';

import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { MailWorker, startMailWorker } from '../support/mail-worker';
import { startPortal } from '../support/portal-harness';
import { decodeQuotedPrintable } from '../support/smtp-sink';
import { insertEndpoint, TestEndpoint } from '../support/webhook-endpoints';
import { startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Returns the ids of serious and critical axe-core violations on the page. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated rather than added as a script tag, so the page keeps its Content Security Policy.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: Array<{ id: string; impact: string }> }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => violation.id);
}

describe('accepting a proposal in a browser', () => {
  let portal: NestExpressApplication;
  let port: number;
  let mail: MailWorker;
  let admin: Pool;
  let tenant: TestTenant;
  let browser: Browser;
  let folder: string;
  let receiver: WebhookReceiver;
  let endpoint: TestEndpoint;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'proposal-browser-'));
    process.env.STORAGE_LOCAL_DIR = folder;
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'signing');
    await admin.query('UPDATE proposals SET tax_minor = 750, total_minor = 8250 WHERE tenant_id = $1', [tenant.tenantId]);
    receiver = await startWebhookReceiver();
    endpoint = await insertEndpoint(admin, tenant.tenantId, {
      url: `http://127.0.0.1:${receiver.port}/hooks`,
      eventTypes: ['proposal.accepted'],
    });
    ({ app: portal, port } = await startPortal());
    // The receiver listens on loopback, which webhooks may reach only when this is on.
    mail = await startMailWorker({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await mail?.stop();
    await receiver?.close();
    await portal?.close();
    await admin.end();
    await rm(folder, { recursive: true, force: true });
    delete process.env.STORAGE_LOCAL_DIR;
  });

  it('signs, shows the accepted state, notifies staff and sends a webhook', async () => {
    const [{ id, number }] = (
      await admin.query<{ id: string; number: string }>(
        'SELECT id, number FROM proposals WHERE tenant_id = $1 AND external_id = $2',
        [tenant.tenantId, `${tenant.companies[0].key}-pr-s`],
      )
    ).rows;
    const context = await browser.newContext();
    const page = await context.newPage();
    const origin = `http://${tenant.slug}.localhost:${port}`;
    await page.goto(`${origin}/login`);
    await page.getByLabel('Email').fill(tenant.companies[0].email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/`);

    await page.goto(`${origin}/proposals/${id}`);
    expect(await seriousViolations(page)).toEqual([]);
    const total = page.locator('#accept-total');
    expect(await total.textContent()).toBe('$82.50');
    await page.getByLabel(/Spare gauge/).check();
    // The page script adds the optional line and its share of tax: 82.50 + 25.00 + 2.50.
    await page
      .waitForFunction(() => document.getElementById('accept-total')?.textContent === '$110.00', null, { timeout: 5000 })
      .catch(() => undefined);
    expect(await total.textContent()).toBe('$110.00');

    await page.getByLabel('Your full name, as your signature').fill('Pat Signer');
    await page.getByLabel(/accept it on behalf of/).check();
    await page.getByRole('button', { name: 'Accept proposal' }).click();
    await page.waitForURL(`${origin}/proposals/${id}?done=accepted`);

    expect(await page.getByRole('status').first().textContent()).toContain(`You accepted proposal ${number}`);
    expect(await page.locator('h1 .badge').textContent()).toContain('Accepted');
    expect(await page.locator('main').textContent()).toContain('$110.00');
    expect(await page.getByRole('button', { name: 'Accept proposal' }).count()).toBe(0);
    await context.close();

    const deadline = Date.now() + 15_000;
    const notice = () => mail.received.find((message) => message.raw.includes(`Proposal ${number} accepted`));
    while (!notice() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(notice()?.to).toEqual([`owner@${tenant.slug}.example`]);
    const text = decodeQuotedPrintable(notice()!.raw);
    expect(text).toContain('Pat Signer');
    expect(text).toContain('Spare gauge');

    const webhookDeadline = Date.now() + 15_000;
    while (receiver.received.length === 0 && Date.now() < webhookDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received).toHaveLength(1);
    const [webhook] = receiver.received;
    expect(webhook.headers['portal-event-type']).toBe('proposal.accepted');
    // Checked the way a receiver would, with its own HMAC over "<t>.<raw body>".
    const signature = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(webhook.headers['portal-signature']));
    expect(signature).not.toBeNull();
    const [, timestamp, digest] = signature!;
    expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(300);
    expect(createHmac('sha256', endpoint.secret).update(`${timestamp}.${webhook.body}`).digest('hex')).toBe(digest);
    const payload = JSON.parse(webhook.body);
    expect(JSON.stringify(payload)).toContain(id);
    expect(JSON.stringify(payload)).toContain('"accepted_total_minor":"11000"');
  }, 60_000);
});
