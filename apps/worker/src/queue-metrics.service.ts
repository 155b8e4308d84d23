import { getQueueToken, WorkerHost } from '@nestjs/bullmq';
import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, ModuleRef } from '@nestjs/core';
import type { Job, Queue } from 'bullmq';

import { metrics, setQueueCountSource } from '../../../libs/observability/src/metrics';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

/**
 * Feeds the BullMQ metrics: how long each job of every processor took, and
 * the queues' job counts, which are read from Redis at each scrape.
 */
@Injectable()
export class QueueMetrics implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    const { jobDuration } = metrics();
    const queues: Queue[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const host = wrapper.instance as unknown;
      if (!(host instanceof WorkerHost)) continue;
      const worker = host.worker;
      const observe = (outcome: string) => (job: Job | undefined) => {
        if (job?.processedOn && job.finishedOn) jobDuration.observe({ queue: worker.name, outcome }, (job.finishedOn - job.processedOn) / 1000);
      };
      worker.on('completed', observe('completed'));
      worker.on('failed', observe('failed'));
      queues.push(this.moduleRef.get<Queue>(getQueueToken(worker.name), { strict: false }));
    }
    setQueueCountSource(async () =>
      Promise.all(queues.map(async (queue) => ({ queue: queue.name, counts: await queue.getJobCounts(...STATES) }))),
    );
  }

  onApplicationShutdown(): void {
    setQueueCountSource(undefined);
  }
}
