import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of this process. One registry per process, created on
 * first use, so tests that start several apps in one process share it
 * instead of registering every metric twice.
 */
export interface PortalMetrics {
  registry: Registry;
  httpDuration: Histogram<'app' | 'method' | 'route' | 'status_code'>;
  loginFailures: Counter<'app' | 'reason'>;
  jobDuration: Histogram<'queue' | 'outcome'>;
  queueJobs: Gauge<'queue' | 'state'>;
  pdfRenderDuration: Histogram<'outcome'>;
}

let current: PortalMetrics | undefined;

/** Job counts of one queue by state, as BullMQ's getJobCounts returns them. */
export type QueueCounts = Array<{ queue: string; counts: Record<string, number> }>;

let queueCountSource: (() => Promise<QueueCounts>) | undefined;

/** Sets the function queue_jobs reads at each scrape; the worker sets it once its queues exist. */
export function setQueueCountSource(source: (() => Promise<QueueCounts>) | undefined): void {
  queueCountSource = source;
}

export function metrics(): PortalMetrics {
  current ??= createMetrics();
  return current;
}

function createMetrics(): PortalMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by app, method, matched route and status code.',
      labelNames: ['app', 'method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    loginFailures: new Counter({
      name: 'login_failures_total',
      help: 'Failed or throttled sign-in attempts by app and reason (invalid, locked).',
      labelNames: ['app', 'reason'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'queue_job_duration_seconds',
      help: 'BullMQ job processing time by queue and outcome (completed, failed).',
      labelNames: ['queue', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    queueJobs: new Gauge({
      name: 'queue_jobs',
      help: 'BullMQ jobs by queue and state, read from Redis when scraped.',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        if (!queueCountSource) return;
        const queues = await queueCountSource();
        this.reset();
        for (const { queue, counts } of queues) {
          for (const [state, count] of Object.entries(counts)) this.set({ queue, state }, count);
        }
      },
    }),
    pdfRenderDuration: new Histogram({
      name: 'pdf_render_duration_seconds',
      help: 'Time to render one PDF in Chromium, by outcome (rendered, failed).',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}
