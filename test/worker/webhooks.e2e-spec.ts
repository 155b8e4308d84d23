import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Pool } from 'pg';

import { WorkerModule } from '../../apps/worker/src/worker.module';
import { WebhookSweeper } from '../../apps/worker/src/webhooks/webhook-sweeper.service';
import { TenantDatabase } from '../../libs/db/src/tenant-database';
import { WEBHOOK_QUEUE, WebhookJob } from '../../libs/queue/src/queues';
import { WebhookOutbox } from '../../libs/queue/src/webhook-outbox';
import { startRedelivery } from '../../libs/webhooks/src/redelivery';
import { SIGNATURE_HEADER, verifySignature } from '../../libs/webhooks/src/signature';
import { startDnsServer, TestDnsServer } from '../support/dns-server';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { deliveryRow, insertEndpoint } from '../support/webhook-endpoints';
import { startWebhookReceiver, waitFor, WebhookReceiver } from '../support/webhook-receiver';

/** Starts the real worker module with the given variables, which it reads once at start. */
async function startWorker(env: Record<string, string>): Promise<{ worker: INestApplication; stop(): Promise<void> }> {
  Object.assign(process.env, env);
  const worker = await NestFactory.create(WorkerModule, { logger: false, abortOnError: false });
  await worker.init();
  return {
    worker,
    async stop() {
      await worker.close();
      for (const name of Object.keys(env)) delete process.env[name];
    },
  };
}

/** Records an event as staff of the tenant through the producer API and queues its deliveries. */
async function recordEvent(worker: INestApplication, tenantId: string, data: Record<string, unknown>) {
  const outbox = worker.get(WebhookOutbox);
  const recorded = await worker.get(TenantDatabase).asWorkerFor(tenantId, (db) =>
    outbox.record(db, { type: 'document.viewed', data }),
  );
  await outbox.dispatch(tenantId, recorded);
  return recorded;
}

async function settled(admin: Pool, deliveryId: string, status: string) {
  return waitFor(async () => {
    const row = await deliveryRow(admin, deliveryId);
    return row.status === status ? row : undefined;
  }, 20_000, `delivery ${deliveryId} to be ${status}`);
}

describe('webhook delivery', () => {
  let admin: Pool;
  let tenant: TestTenant;
  let dns: TestDnsServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'hooks', 1);
    dns = await startDnsServer();
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await receiver.close();
    await dns.close();
    await admin.end();
  });

  describe('to a receiver on loopback, with private targets allowed', () => {
    let worker: INestApplication;
    let stop: () => Promise<void>;
    let queue: Queue<WebhookJob>;

    beforeAll(async () => {
      ({ worker, stop } = await startWorker({
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        WEBHOOK_MAX_ATTEMPTS: '5',
        WEBHOOK_BACKOFF_MS: '50',
        WEBHOOK_TIMEOUT_MS: '500',
        DNS_SERVERS: dns.address,
      }));
      queue = worker.get<Queue<WebhookJob>>(getQueueToken(WEBHOOK_QUEUE));
      dns.set('receiver.hooks.test', { A: ['127.0.0.1'] });
    }, 30_000);

    afterAll(() => stop());

    it('retries until success with one event id', async () => {
      const endpoint = await insertEndpoint(admin, tenant.tenantId, {
        url: `http://receiver.hooks.test:${receiver.port}/events`,
        eventTypes: ['document.viewed'],
      });
      receiver.received.length = 0;
      receiver.respondWith = [500, 503, 502];

      const recorded = await recordEvent(worker, tenant.tenantId, { record_id: 'r-1' });
      expect(recorded.deliveryIds).toHaveLength(1);
      const row = await settled(admin, recorded.deliveryIds[0], 'succeeded');

      expect(receiver.received).toHaveLength(4);
      expect(row.attempt_count).toBe(4);
      expect(row.last_status_code).toBe(200);
      expect(row.event_id).toBe(recorded.eventId);
      for (const request of receiver.received) {
        expect(request.headers['portal-event-id']).toBe(recorded.eventId);
        expect(request.headers['portal-event-type']).toBe('document.viewed');
        const signature = String(request.headers[SIGNATURE_HEADER.toLowerCase()]);
        expect(verifySignature(endpoint.secret, signature, request.body, Math.floor(Date.now() / 1000))).toBe(true);
        expect(verifySignature('whsec_wrong', signature, request.body, Math.floor(Date.now() / 1000))).toBe(false);
        expect(JSON.parse(request.body)).toMatchObject({ id: recorded.eventId, type: 'document.viewed', data: { record_id: 'r-1' } });
      }
      expect(new Set(receiver.received.map((request) => request.body)).size).toBe(1);
    }, 30_000);

    it('sends a succeeded delivery once', async () => {
      await insertEndpoint(admin, tenant.tenantId, { url: `http://127.0.0.1:${receiver.port}/once`, eventTypes: ['document.viewed'] });
      const recorded = await recordEvent(worker, tenant.tenantId, { record_id: 'r-2' });
      const mine = recorded.deliveryIds;
      for (const id of mine) await settled(admin, id, 'succeeded');
      const sent = receiver.received.length;

      const again = await queue.add('deliver', { tenantId: tenant.tenantId, deliveryId: mine[0], round: 1 }, { jobId: `${mine[0]}-again` });
      const outcome = await waitFor(async () => ((await again.getState()) === 'completed' ? (await queue.getJob(again.id!))?.returnvalue : undefined));

      expect(outcome).toBe('already-done');
      expect(receiver.received.length).toBe(sent);
      expect((await deliveryRow(admin, mine[0])).attempt_count).toBe(1);
    }, 30_000);

    it('redelivers with the same event id', async () => {
      await admin.query('UPDATE webhook_endpoints SET enabled = false WHERE tenant_id = $1', [tenant.tenantId]);
      const endpoint = await insertEndpoint(admin, tenant.tenantId, { url: `http://127.0.0.1:${receiver.port}/redo`, eventTypes: ['document.viewed'] });
      const recorded = await recordEvent(worker, tenant.tenantId, { record_id: 'r-3' });
      const [deliveryId] = recorded.deliveryIds;
      await settled(admin, deliveryId, 'succeeded');
      receiver.received.length = 0;

      const round = await worker.get(TenantDatabase).asWorkerFor(tenant.tenantId, (db) => startRedelivery(db, endpoint.id, deliveryId));
      expect(round).toBe(2);
      await worker.get(WebhookOutbox).queueRound({ tenantId: tenant.tenantId, deliveryId, round: 2 });
      await waitFor(async () => (receiver.received.length > 0 ? true : undefined));
      const row = await settled(admin, deliveryId, 'succeeded');

      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0].headers['portal-event-id']).toBe(recorded.eventId);
      expect(row.round).toBe(2);
      expect(row.attempt_count).toBe(2);
      expect(await queue.getJob(`${deliveryId}-r2`)).toBeDefined();
    }, 30_000);

    it('skips a job of an earlier round', async () => {
      const [row] = (
        await admin.query<{ id: string }>("SELECT id FROM webhook_deliveries WHERE tenant_id = $1 AND round = 2", [tenant.tenantId])
      ).rows;
      const sent = receiver.received.length;
      const stale = await queue.add('deliver', { tenantId: tenant.tenantId, deliveryId: row.id, round: 1 }, { jobId: `${row.id}-stale` });
      const outcome = await waitFor(async () => ((await stale.getState()) === 'completed' ? (await queue.getJob(stale.id!))?.returnvalue : undefined));

      expect(outcome).toBe('stale');
      expect(receiver.received.length).toBe(sent);
    });

    it('marks the last failed attempt failed', async () => {
      await admin.query('UPDATE webhook_endpoints SET enabled = false WHERE tenant_id = $1', [tenant.tenantId]);
      await insertEndpoint(admin, tenant.tenantId, { url: `http://127.0.0.1:${receiver.port}/down`, eventTypes: ['document.viewed'] });
      receiver.respondWith = [500, 500, 500, 500, 500];
      const recorded = await recordEvent(worker, tenant.tenantId, { record_id: 'r-4' });
      const row = await settled(admin, recorded.deliveryIds[0], 'failed');

      expect(row.attempt_count).toBe(5);
      expect(row.last_status_code).toBe(500);
      expect(row.last_response).toBe('failing with 500');
    }, 30_000);

    it.each([
      ['/redirect', 302, /^redirect not followed; moved$/],
      ['/slow', null, /^timed out after 500 ms$/],
      ['/long', 500, /^x{500}$/],
    ])('fails %s with the recorded reason', async (path, statusCode, response) => {
      await admin.query('UPDATE webhook_endpoints SET enabled = false WHERE tenant_id = $1', [tenant.tenantId]);
      await insertEndpoint(admin, tenant.tenantId, { url: `http://127.0.0.1:${receiver.port}${path}`, eventTypes: ['document.viewed'] });
      receiver.received.length = 0;

      const recorded = await recordEvent(worker, tenant.tenantId, { record_id: path });
      const row = await settled(admin, recorded.deliveryIds[0], 'failed');

      expect(row.attempt_count).toBe(5);
      expect(row.last_status_code).toBe(statusCode);
      expect(row.last_response).toMatch(response);
      // The redirect's target is never requested.
      expect(receiver.received.map((request) => request.path)).toEqual(Array(5).fill(path));
    }, 30_000);

    it('stores a binary response as text', async () => {
      await admin.query('UPDATE webhook_endpoints SET enabled = false WHERE tenant_id = $1', [tenant.tenantId]);
      await insertEndpoint(admin, tenant.tenantId, { url: `http://127.0.0.1:${receiver.port}/binary`, eventTypes: ['document.viewed'] });

      const recorded = await recordEvent(worker, tenant.tenantId, { record_id: 'binary' });
      const row = await settled(admin, recorded.deliveryIds[0], 'succeeded');

      expect(row.last_response).toBe('\ufffd\ufffdok');
      expect(row.attempt_count).toBe(1);
    });

    it('sweep queues a stranded delivery', async () => {
      await admin.query('UPDATE webhook_endpoints SET enabled = false WHERE tenant_id = $1', [tenant.tenantId]);
      await insertEndpoint(admin, tenant.tenantId, { url: `http://127.0.0.1:${receiver.port}/swept`, eventTypes: ['document.viewed'] });
      receiver.respondWith = [];
      // Recorded without dispatch, as when an app stops between its commit and the queue call.
      const recorded = await worker.get(TenantDatabase).asWorkerFor(tenant.tenantId, (db) =>
        worker.get(WebhookOutbox).record(db, { type: 'document.viewed', data: { record_id: 'r-5' } }),
      );
      await admin.query("UPDATE webhook_deliveries SET next_attempt_at = now() - interval '10 minutes' WHERE id = $1", [
        recorded.deliveryIds[0],
      ]);

      expect(await worker.get(WebhookSweeper).sweep()).toBeGreaterThanOrEqual(1);
      await settled(admin, recorded.deliveryIds[0], 'succeeded');
    }, 30_000);
  });

  describe('when DNS changes after the endpoint was saved', () => {
    let worker: INestApplication;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      await admin.query('UPDATE webhook_endpoints SET enabled = false WHERE tenant_id = $1', [tenant.tenantId]);
      ({ worker, stop } = await startWorker({ WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_BACKOFF_MS: '50', DNS_SERVERS: dns.address }));
    }, 30_000);

    afterAll(() => stop());

    it.each([
      ['loopback.hooks.test', { A: ['127.0.0.1'] }, 'resolves to a loopback address 127.0.0.1'],
      ['private.hooks.test', { A: ['10.0.0.5'] }, 'resolves to a private address 10.0.0.5'],
      ['metadata.hooks.test', { A: ['169.254.169.254'] }, 'resolves to a cloud metadata address 169.254.169.254'],
      ['ipv6.hooks.test', { AAAA: ['::1'] }, 'resolves to a loopback address ::1'],
      ['translated.hooks.test', { AAAA: ['::ffff:0:7f00:1'] }, 'resolves to a loopback address ::ffff:0:7f00:1'],
      ['teredo.hooks.test', { AAAA: ['2001:0:4136:e378:8000:63bf:3fff:fdd2'] }, 'resolves to a Teredo tunnel address 2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ])('rejects %s at delivery', async (hostname, records, reason) => {
      // The name resolved to a public address when the endpoint was saved; nothing is sent to it.
      dns.set(hostname, { A: ['8.8.8.8'] });
      const endpoint = await insertEndpoint(admin, tenant.tenantId, { url: `http://${hostname}:${receiver.port}/`, eventTypes: ['document.viewed'] });
      dns.set(hostname, records);
      const sent = receiver.received.length;

      const recorded = await recordEvent(worker, tenant.tenantId, { record_id: hostname });
      const row = await settled(admin, recorded.deliveryIds[0], 'failed');

      expect(row.last_response).toBe(`url: ${reason}; webhooks must reach a public address`);
      expect(row.attempt_count).toBe(1);
      expect(receiver.received.length).toBe(sent);
      expect(dns.queries(hostname)).toBeGreaterThan(0);
      await admin.query('UPDATE webhook_endpoints SET enabled = false WHERE id = $1', [endpoint.id]);
    }, 30_000);
  });
});
