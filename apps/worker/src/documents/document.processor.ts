import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job, WorkerOptions } from 'bullmq';

import { loadConfig } from '../../../../libs/config/src';
import { isDocumentKind } from '../../../../libs/documents/src/document-kinds';
import { DOCUMENT_QUEUE, DocumentJob } from '../../../../libs/queue/src/queues';
import { DocumentRenderService, RenderOutcome } from './document-render.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Reads the render worker's concurrency and its lock and stalled-check
 * timing. @Processor takes its worker options when the class is declared,
 * before Nest can inject APP_CONFIG, so they come from the environment here,
 * with the same validation as the rest of the configuration. One job per
 * page of the renderer's pool keeps every page busy.
 */
function workerOptions(): Pick<WorkerOptions, 'concurrency' | 'lockDuration' | 'stalledInterval'> {
  const config = loadConfig();
  return {
    concurrency: config.PDF_PAGE_POOL_SIZE,
    lockDuration: config.DOCUMENT_LOCK_DURATION_MS,
    stalledInterval: config.DOCUMENT_STALLED_INTERVAL_MS,
  };
}

/**
 * Renders documents; BullMQ retries a failed render (a crashed browser, a
 * timeout) with backoff. The job of a worker that died goes back to the queue
 * once its lock expires and a stalled-job check finds it.
 */
@Processor(DOCUMENT_QUEUE, workerOptions())
export class DocumentProcessor extends WorkerHost {
  constructor(private readonly documents: DocumentRenderService) {
    super();
  }

  async process(job: Job<DocumentJob>): Promise<RenderOutcome> {
    const { tenantId, companyId, kind, recordId } = job.data;
    if (!UUID.test(tenantId) || !UUID.test(companyId) || !UUID.test(recordId) || !isDocumentKind(kind)) {
      throw new Error(`document job ${job.id} has malformed data`);
    }
    return (await this.documents.render({ tenantId, companyId, kind, recordId })).outcome;
  }
}
