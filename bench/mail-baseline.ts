import nodemailer from 'nodemailer';

import type { MessageTemplate } from './mime-parts';

/** A batch for the baseline sender: `count` copies of the template to recipients numbered from `first`. */
export interface BaselineBatch {
  type: 'send';
  first: number;
  count: number;
  template: MessageTemplate;
}

export interface BaselineReport {
  type: 'baseline-report';
  /** Milliseconds per sendMail call, from the call to the server's acceptance. */
  sendTimes: number[];
  failures: number;
  maxRssKilobytes: number;
}

/**
 * The floor the worker is measured against: nodemailer alone, sending a
 * message rendered once beforehand over one pooled transport, with as many
 * messages in flight as the worker's BullMQ concurrency. It has no queue,
 * no database and no templates. Arguments: the SMTP URL and the
 * concurrency.
 */
const [smtpUrl, concurrencyArgument] = process.argv.slice(2);
const concurrency = Number(concurrencyArgument);
// One connection per message in flight, kept open for the whole run.
const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: concurrency, maxMessages: Infinity });
const sendTimes: number[] = [];
let failures = 0;

async function sendBatch(batch: BaselineBatch): Promise<void> {
  const { template } = batch;
  const attachments = template.attachments.map((attachment) => ({
    filename: attachment.filename,
    contentType: attachment.contentType,
    cid: attachment.cid,
    content: Buffer.from(attachment.base64, 'base64'),
  }));
  let next = batch.first;
  const end = batch.first + batch.count;

  const sender = async () => {
    while (next < end) {
      const number = next;
      next += 1;
      const started = performance.now();
      try {
        await transport.sendMail({
          from: template.from,
          replyTo: template.replyTo,
          to: `baseline-${number}@bench-mail.example`,
          subject: template.subject,
          text: template.text,
          html: template.html,
          attachments,
        });
        sendTimes.push(performance.now() - started);
      } catch (error) {
        failures += 1;
        console.error('baseline send failed:', error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
}

process.on('message', (message: BaselineBatch | { type: 'report' }) => {
  if (message.type === 'send') {
    void sendBatch(message).then(() => process.send?.({ type: 'batch-done' }));
    return;
  }
  const report: BaselineReport = {
    type: 'baseline-report',
    sendTimes,
    failures,
    maxRssKilobytes: process.resourceUsage().maxRSS,
  };
  process.send?.(report);
});

function exit(): void {
  transport.close();
  process.exit(0);
}
process.on('SIGTERM', exit);
// The bench process has exited (after Ctrl-C, for example), so this one exits too.
process.on('disconnect', exit);

process.send?.({ type: 'ready' });
