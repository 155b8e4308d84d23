import type { Pool } from 'pg';

import { percentile } from './load';
import type { MailTenant, RecordedInvitations } from './mail-setup';
import type { SinkReport } from './smtp-sink-server';

/** One sender's side of the mail bench, over all its rounds. */
export interface SenderResult {
  seconds: number;
  enqueueSeconds: number;
  /** Milliseconds per email: EmailSender.send in the worker, sendMail in the baseline. */
  sendTimes: number[];
  failures: number;
  maxRssKilobytes: number;
  sink: SinkReport;
  /** Summed waits inside the worker; the baseline has none to report. */
  waits?: { postgresMilliseconds: number; smtpMilliseconds: number };
}

export interface MailResults {
  worker: SenderResult;
  baseline: SenderResult;
  count: number;
  rounds: number;
  concurrency: number;
  recordSeconds: number;
}

/** Lists every way the run fell short of exactly one delivered message per invitation and per baseline send. */
export async function findProblems(
  admin: Pool,
  tenant: MailTenant,
  invitations: RecordedInvitations,
  results: MailResults,
): Promise<string[]> {
  const { count } = results;
  const problems: string[] = [];
  const statuses = await admin.query<{ status: string; count: number }>(
    'SELECT status, count(*)::int AS count FROM email_deliveries WHERE tenant_id = $1 GROUP BY status ORDER BY status',
    [tenant.tenantId],
  );
  const sent = statuses.rows.find((row) => row.status === 'sent')?.count ?? 0;
  if (sent !== count || statuses.rows.length !== 1) {
    problems.push(`expected ${count} deliveries with status 'sent', got ${JSON.stringify(statuses.rows)}`);
  }

  const invited = new Set(invitations.recipients);
  const strangers = results.worker.sink.recipients.filter((recipient) => !invited.has(recipient));
  if (strangers.length > 0) problems.push(`the worker sent to ${strangers.length} addresses that were never invited`);

  for (const [name, sender] of [['worker', results.worker], ['baseline', results.baseline]] as const) {
    if (sender.sink.messages !== count) problems.push(`the sink received ${sender.sink.messages} ${name} messages, expected ${count}`);
    if (sender.sink.recipients.length !== count) {
      problems.push(`the ${name} messages went to ${sender.sink.recipients.length} distinct recipients, expected ${count}`);
    }
    if (sender.failures > 0) problems.push(`${sender.failures} ${name} sends failed`);
  }
  return problems;
}

const HEADER = ['emails/s', 'p50 ms', 'p99 ms', 'total s', 'peak RSS MB', 'bytes/email'];

function row(name: string, sender: SenderResult, count: number): string {
  const times = [...sender.sendTimes].sort((left, right) => left - right);
  const cells = [
    (count / sender.seconds).toFixed(0),
    percentile(times, 0.5).toFixed(2),
    percentile(times, 0.99).toFixed(2),
    sender.seconds.toFixed(1),
    (sender.maxRssKilobytes / 1024).toFixed(0),
    (sender.sink.bytes / sender.sink.messages).toFixed(0),
  ];
  return `${name.padEnd(38)}${cells.map((cell, index) => cell.padStart(HEADER[index].length + 2)).join('')}`;
}

/** Prints both senders side by side, the ratio, and where the worker's time per email went. */
export function printResults(results: MailResults): void {
  const { worker, baseline, count } = results;
  console.log(
    `\nInvitation emails, ${count} per sender to an SMTP sink on loopback, in ${results.rounds} alternating rounds, ` +
      `${results.concurrency} in flight (the worker's BullMQ concurrency)`,
  );
  console.log(`${'sender'.padEnd(38)}${HEADER.map((title) => title.padStart(title.length + 2)).join('')}`);
  console.log(row('worker (BullMQ, Postgres, Handlebars)', worker, count));
  console.log(row('baseline (pooled nodemailer only)', baseline, count));
  console.log(`worker throughput is ${((baseline.seconds / worker.seconds) * 100).toFixed(0)}% of the baseline`);
  console.log('p50 and p99: time per email in EmailSender.send (worker) or in sendMail (baseline)');

  if (worker.waits) {
    const perEmail = (milliseconds: number) => (milliseconds / count).toFixed(2);
    const sendMilliseconds = worker.sendTimes.reduce((sum, time) => sum + time, 0);
    console.log(
      `worker, mean per email: ${perEmail(worker.seconds * 1000)} ms of wall time, ${perEmail(sendMilliseconds)} ms in ` +
        `EmailSender.send, of which ${perEmail(worker.waits.postgresMilliseconds)} ms waiting for PostgreSQL ` +
        `and ${perEmail(worker.waits.smtpMilliseconds)} ms in sendMail`,
    );
  }
  console.log(
    `enqueueing the jobs took ${worker.enqueueSeconds.toFixed(2)} s of the worker's total; ` +
      `recording the ${count} invitations beforehand took ${results.recordSeconds.toFixed(1)} s and is not counted`,
  );
  console.log(`verified: ${count} deliveries 'sent', and ${count} messages to ${count} distinct recipients from each sender`);
}
