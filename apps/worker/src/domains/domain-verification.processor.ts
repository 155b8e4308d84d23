import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';

import { DOMAIN_VERIFICATION_QUEUE, DomainVerificationJob } from '../../../../libs/queue/src/queues';
import { DomainVerifier, VerificationOutcome } from './domain-verifier.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Lookups mostly wait on DNS, and one that gets no answer takes about ten
// seconds, so several run at once and one tenant's dead names cannot hold
// up every other tenant's checks.
@Processor(DOMAIN_VERIFICATION_QUEUE, { concurrency: 8 })
export class DomainVerificationProcessor extends WorkerHost {
  constructor(private readonly verifier: DomainVerifier) {
    super();
  }

  process(job: Job<DomainVerificationJob>): Promise<VerificationOutcome> {
    const { tenantId, domainId } = job.data;
    if (!UUID.test(tenantId) || !UUID.test(domainId)) throw new Error(`domain verification job ${job.id} has malformed data`);
    return this.verifier.verify({ tenantId, domainId }, job.id);
  }
}
