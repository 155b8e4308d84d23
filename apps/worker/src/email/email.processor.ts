import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';

import { EMAIL_QUEUE, EmailJob } from '../../../../libs/queue/src/queues';
import { EmailSender, SendOutcome } from './email-sender.service';

@Processor(EMAIL_QUEUE)
export class EmailProcessor extends WorkerHost {
  constructor(private readonly sender: EmailSender) {
    super();
  }

  process(job: Job<EmailJob>): Promise<SendOutcome> {
    return this.sender.send(job.data);
  }
}
