import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';

import { USER_IMPORT_QUEUE, UserImportJob } from '../../../../libs/queue/src/queues';
import { ImportStatus, UserImportRunner } from './user-import-runner.service';

@Processor(USER_IMPORT_QUEUE)
export class UserImportProcessor extends WorkerHost {
  constructor(
    private readonly runner: UserImportRunner,
    private readonly logger: PinoLogger,
  ) {
    super();
    this.logger.setContext(UserImportProcessor.name);
  }

  /** Runs the import. When the job's last attempt fails, it marks the import failed so its page stops waiting. */
  async process(job: Job<UserImportJob>): Promise<ImportStatus | 'missing'> {
    try {
      return await this.runner.run(job.data);
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.logger.error({ err: error, ...job.data, attempt: job.attemptsMade + 1, lastAttempt }, 'user import job failed');
      if (lastAttempt) {
        await this.runner.markFailed(job.data).catch((markError: unknown) => {
          this.logger.error({ err: markError, ...job.data }, 'user import could not be marked failed');
        });
      }
      throw error;
    }
  }
}
