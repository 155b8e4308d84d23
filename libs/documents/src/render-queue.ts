import type { Queue } from 'bullmq';
import type Redis from 'ioredis';

import type { DocumentJob } from '../../queue/src/queues';
import type { DocumentRequest } from './prepared-document';

/** How long a failed render waits before a new request may queue it again. */
export const FAILED_RENDER_COOLDOWN_MS = 5 * 60 * 1000;

export type RenderQueueOutcome = 'queued' | 'joined' | 'failed-recently' | 'over-limit';

/**
 * Queues the render of a document whose PDF is not in storage. A job still
 * waiting or running is joined. A finished job whose PDF is missing (it
 * found the record hidden, or the file was lost) is replaced. A failed job
 * is replaced only after a cooldown, so a page left open on a document that
 * cannot be rendered does not keep a render slot busy. Each signed-in user
 * may queue `perMinute` new renders a minute, so one account cannot crowd
 * out every other tenant's documents.
 */
export async function queueDocumentRender(
  queue: Queue<DocumentJob>,
  redis: Redis,
  request: DocumentRequest,
  jobId: string,
  requester: string,
  perMinute: number,
  failedCooldownMs = FAILED_RENDER_COOLDOWN_MS,
): Promise<RenderQueueOutcome> {
  const job = await queue.getJob(jobId);
  if (job) {
    const state = await job.getState();
    if (state !== 'completed' && state !== 'failed') return 'joined';
    if (state === 'failed' && Date.now() - (job.finishedOn ?? 0) < failedCooldownMs) return 'failed-recently';
  }

  const counter = `documents:renders:${request.tenantId}:${requester}:${Math.floor(Date.now() / 60_000)}`;
  const [[, count]] = (await redis.multi().incr(counter).expire(counter, 120).exec()) as [[null, number]];
  if (count > perMinute) return 'over-limit';

  // Two requests may both get here; removing twice is harmless and the job id keeps one job.
  if (job) await job.remove().catch(() => undefined);
  await queue.add('render', request, { jobId });
  return 'queued';
}
