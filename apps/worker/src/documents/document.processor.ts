import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';

import { isDocumentKind } from '../../../../libs/documents/src/document-kinds';
import { DOCUMENT_QUEUE, DocumentJob } from '../../../../libs/queue/src/queues';
import { DocumentRenderService, RenderOutcome } from './document-render.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Renders documents; BullMQ retries a failed render (a crashed browser, a timeout) with backoff. */
@Processor(DOCUMENT_QUEUE)
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
