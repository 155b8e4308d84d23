import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Pool } from 'pg';

import { WorkerModule } from '../../apps/worker/src/worker.module';
import { TenantDatabase } from '../../libs/db/src/tenant-database';
import { WEBHOOK_QUEUE, WebhookJob } from '../../libs/queue/src/queues';
import { RecordedWebhookEvent, WebhookOutbox } from '../../libs/queue/src/webhook-outbox';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';
import { deliveryRow, insertEndpoint } from '../support/webhook-endpoints';
import { startWebhookReceiver, waitFor, WebhookReceiver } from '../support/webhook-receiver';

const WORKER_ENV = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_CONCURRENCY: '4',
  WEBHOOK_TENANT_CONCURRENCY: '2',
  WEBHOOK_TIMEOUT_MS: '6000',
  WEBHOOK_MAX_ATTEMPTS: '1',
};

/** Connections of this database that have sat idle inside a transaction for over half a second. */
const IDLE_IN_TRANSACTION = `SELECT count(*)::int AS count FROM pg_stat_activity
  WHERE datname = current_database() AND state = 'idle in transaction' AND state_change < now() - interval '500 milliseconds'`;

describe('webhook delivery under slow receivers', () => {
  let admin: Pool;
  let slowTenant: TestTenant;
  let otherTenant: TestTenant;
  let receiver: WebhookReceiver;
  let worker: INestApplication;

  /** Records one document.viewed event for the tenant, as staff, without queueing it. */
  const record = (tenantId: string, data: Record<string, unknown>): Promise<RecordedWebhookEvent> =>
    worker.get(TenantDatabase).asWorkerFor(tenantId, (db) => worker.get(WebhookOutbox).record(db, { type: 'document.viewed', data }));

  const receivedFor = (eventId: string) => receiver.received.filter((request) => request.headers['portal-event-id'] === eventId);

  beforeAll(async () => {
    admin = adminPool();
    slowTenant = await provisionTestTenant(admin, 'hooks-slow', 1);
    otherTenant = await provisionTestTenant(admin, 'hooks-fast', 1);
    receiver = await startWebhookReceiver();
    Object.assign(process.env, WORKER_ENV);
    worker = await NestFactory.create(WorkerModule, { logger: false, abortOnError: false });
    await worker.init();
  }, 30_000);

  afterAll(async () => {
    // Disabled endpoints make any job still queued end without a request.
    await admin.query('UPDATE webhook_endpoints SET enabled = false WHERE tenant_id = ANY ($1)', [[slowTenant.tenantId, otherTenant.tenantId]]);
    await worker?.close();
    for (const name of Object.keys(WORKER_ENV)) delete process.env[name];
    await receiver.close();
    await admin.end();
  }, 30_000);

  it('slow tenant does not delay another', async () => {
    for (let i = 0; i < 12; i += 1) {
      await insertEndpoint(admin, slowTenant.tenantId, { url: `http://127.0.0.1:${receiver.port}/slow`, eventTypes: ['document.viewed'] });
    }
    const flood = await record(slowTenant.tenantId, { record_id: 'flood' });
    expect(flood.deliveryIds).toHaveLength(12);
    await worker.get(WebhookOutbox).dispatch(slowTenant.tenantId, flood);
    await waitFor(async () => (receivedFor(flood.eventId).length >= 2 ? true : undefined), 10_000, 'the slow tenant to start sending');

    await insertEndpoint(admin, otherTenant.tenantId, { url: `http://127.0.0.1:${receiver.port}/fast`, eventTypes: ['document.viewed'] });
    const started = Date.now();
    const prompt = await record(otherTenant.tenantId, { record_id: 'prompt' });
    await worker.get(WebhookOutbox).dispatch(otherTenant.tenantId, prompt);
    await waitFor(async () => (receivedFor(prompt.eventId).length > 0 ? true : undefined), 10_000, 'the other tenant’s delivery');
    const waited = Date.now() - started;

    expect(waited).toBeLessThan(2000);
    // The slow tenant never has more than its limit of requests open.
    expect(receivedFor(flood.eventId).length).toBeLessThanOrEqual(2);
    // Its other jobs wait in the delayed set, with no attempt used.
    const queue = worker.get<Queue<WebhookJob>>(getQueueToken(WEBHOOK_QUEUE));
    const waiting = (await Promise.all(flood.deliveryIds.map((id) => queue.getJob(`${id}-r1`)))).filter(
      (job) => job !== undefined && job.attemptsMade === 0 && job.finishedOn === undefined,
    );
    expect(waiting.length).toBe(12);
  }, 30_000);

  it('no connection idles in a transaction during a send', async () => {
    // The slow tenant's requests from the previous test are still waiting for an answer.
    const open = receiver.received.filter((request) => request.path === '/slow').length;
    expect(open).toBeGreaterThan(0);

    for (let check = 0; check < 8; check += 1) {
      const { rows } = await admin.query<{ count: number }>(IDLE_IN_TRANSACTION);
      expect({ check, idle: rows[0].count }).toEqual({ check, idle: 0 });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 30_000);

  it('one job at a time sends a delivery', async () => {
    const tenantId = otherTenant.tenantId;
    await admin.query('UPDATE webhook_endpoints SET enabled = false WHERE tenant_id = $1', [tenantId]);
    await insertEndpoint(admin, tenantId, { url: `http://127.0.0.1:${receiver.port}/slow`, eventTypes: ['document.viewed'] });
    const recorded = await record(tenantId, { record_id: 'twice' });
    const [deliveryId] = recorded.deliveryIds;
    const queue = worker.get<Queue<WebhookJob>>(getQueueToken(WEBHOOK_QUEUE));

    const first = await queue.add('deliver', { tenantId, deliveryId, round: 1 }, { jobId: `${deliveryId}-first` });
    await waitFor(async () => (receivedFor(recorded.eventId).length > 0 ? true : undefined), 10_000, 'the first send');
    const second = await queue.add('deliver', { tenantId, deliveryId, round: 1 }, { jobId: `${deliveryId}-second` });
    const outcome = await waitFor(
      async () => ((await second.getState()) === 'completed' ? (await queue.getJob(second.id!))?.returnvalue : undefined),
      10_000,
      'the second job',
    );

    expect(outcome).toBe('in-flight');
    expect(receivedFor(recorded.eventId)).toHaveLength(1);
    expect(await first.getState()).toBe('active');
    expect((await deliveryRow(admin, deliveryId)).attempt_count).toBe(0);
  }, 30_000);
});
