import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import Redis from 'ioredis';

import { DocumentRequest } from '../../libs/documents/src/prepared-document';
import { queueDocumentRender } from '../../libs/documents/src/render-queue';
import { redisOptions } from '../../libs/queue/src/queue.module';
import type { DocumentJob } from '../../libs/queue/src/queues';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('document render queueing', () => {
  // A queue of its own, so no product worker takes these jobs.
  const name = `render-queue-test-${randomUUID()}`;
  let queue: Queue<DocumentJob>;
  let events: QueueEvents;
  let redis: Redis;

  beforeAll(async () => {
    queue = new Queue<DocumentJob>(name, { connection: redisOptions(REDIS_URL) });
    events = new QueueEvents(name, { connection: redisOptions(REDIS_URL) });
    await events.waitUntilReady();
    redis = new Redis(REDIS_URL);
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await events.close();
    redis.disconnect();
  });

  const tenantId = randomUUID();
  const request = (): DocumentRequest => ({ tenantId, companyId: randomUUID(), kind: 'invoice', recordId: randomUUID() });

  /** Runs the queue's waiting jobs once with `process`, as a worker would. */
  async function work(process: () => Promise<string>): Promise<void> {
    const worker = new Worker<DocumentJob>(name, process, { connection: redisOptions(REDIS_URL), autorun: false });
    worker.run().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await worker.close();
  }

  it('joins a waiting job instead of adding another', async () => {
    const document = request();
    expect(await queueDocumentRender(queue, redis, document, 'render-join', 'user-1', 20)).toBe('queued');
    expect(await queueDocumentRender(queue, redis, document, 'render-join', 'user-1', 20)).toBe('joined');
    expect(await queue.getJobCountByTypes('waiting')).toBe(1);
    await (await queue.getJob('render-join'))?.remove();
  });

  it('replaces a finished job whose PDF is missing', async () => {
    const document = request();
    await queueDocumentRender(queue, redis, document, 'render-finished', 'user-2', 20);
    await work(async () => 'not-visible');
    expect(await (await queue.getJob('render-finished'))?.getState()).toBe('completed');
    expect(await queueDocumentRender(queue, redis, document, 'render-finished', 'user-2', 20)).toBe('queued');
    expect(await (await queue.getJob('render-finished'))?.getState()).toBe('waiting');
    await (await queue.getJob('render-finished'))?.remove();
  });

  it('waits out the cooldown of a failed job', async () => {
    const document = request();
    await queueDocumentRender(queue, redis, document, 'render-failed', 'user-3', 20);
    await work(async () => {
      throw new Error('render failed');
    });
    expect(await (await queue.getJob('render-failed'))?.getState()).toBe('failed');
    expect(await queueDocumentRender(queue, redis, document, 'render-failed', 'user-3', 20)).toBe('failed-recently');
    expect(await queueDocumentRender(queue, redis, document, 'render-failed', 'user-3', 20, 0)).toBe('queued');
    await (await queue.getJob('render-failed'))?.remove();
  });

  it('limits the new renders one user queues per minute', async () => {
    const requester = `user-${randomUUID()}`;
    const outcomes: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      outcomes.push(await queueDocumentRender(queue, redis, request(), `render-limit-${index}`, requester, 3));
    }
    expect(outcomes).toEqual(['queued', 'queued', 'queued', 'over-limit', 'over-limit']);
    // Another user is not held back.
    expect(await queueDocumentRender(queue, redis, request(), 'render-limit-other', `user-${randomUUID()}`, 3)).toBe('queued');
  });
});
