import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// The mail bench's SMTP sink, run in its own process so that receiving does
// not share an event loop with the sender being measured. It counts
// messages, bytes and distinct recipients per label and keeps the first
// message of each label whole. The parent controls it over IPC:
//
// - `{ type: 'expect', label, total }` files later messages under `label`
//   and sends `{ type: 'reached', label }` once that label has `total`.
// - `{ type: 'report', label }` makes the sink send a SinkReport.

/** Counts, distinct recipients and the first message the sink received under one label. */
export interface SinkReport {
  type: 'report';
  label: string;
  messages: number;
  bytes: number;
  recipients: string[];
  firstMessage: string;
}

interface LabelCounts {
  messages: number;
  bytes: number;
  recipients: Set<string>;
  firstMessage: string;
}

type SinkCommand = { type: 'expect'; label: string; total: number } | { type: 'report'; label: string };

/**
 * Makes smtp-server greet each client at once. smtp-server 3.21 waits a
 * fixed 100 ms before its greeting, to catch clients that talk too early,
 * and has no option to turn that off. A sender that opens a connection per
 * message (the worker does) would then measure that timer. This replaces a
 * private method and throws when a later version renames the parts.
 */
function greetWithoutDelay(): void {
  const connection = require('smtp-server/lib/smtp-connection').SMTPConnection?.prototype;
  const parts = ['init', '_setListeners', 'connectionReady'];
  if (!connection || parts.some((name) => typeof connection[name] !== 'function')) {
    throw new Error(`smtp-server's SMTPConnection no longer has ${parts.join(', ')}; set BENCH_MAIL_GREETING_DELAY=1`);
  }
  connection.init = function init(this: { _setListeners(ready: () => void): void; connectionReady(): void }) {
    this._setListeners(() => this.connectionReady());
  };
}

// BENCH_MAIL_GREETING_DELAY=1 keeps the stock delay.
if (process.env.BENCH_MAIL_GREETING_DELAY !== '1') greetWithoutDelay();

const labels = new Map<string, LabelCounts>();
let current: { label: string; total: number } = { label: 'unexpected', total: Infinity };

function countsOf(label: string): LabelCounts {
  let counts = labels.get(label);
  if (!counts) {
    counts = { messages: 0, bytes: 0, recipients: new Set(), firstMessage: '' };
    labels.set(label, counts);
  }
  return counts;
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  // The default reverse DNS lookup of each client would query the system
  // resolver once per connection, and the product opens one per message.
  disableReverseLookup: true,
  logger: false,
  onData(stream, session, callback) {
    const { label, total } = current;
    const counts = countsOf(label);
    const keepWhole = counts.firstMessage === '';
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (keepWhole) chunks.push(chunk);
    });
    stream.on('end', () => {
      counts.messages += 1;
      counts.bytes += bytes;
      for (const address of session.envelope.rcptTo) counts.recipients.add(address.address);
      if (keepWhole && counts.firstMessage === '') counts.firstMessage = Buffer.concat(chunks).toString();
      callback();
      if (counts.messages === total) process.send?.({ type: 'reached', label });
    });
  },
});

process.on('message', (command: SinkCommand) => {
  if (command.type === 'expect') {
    current = { label: command.label, total: command.total };
    if (countsOf(command.label).messages >= command.total) process.send?.({ type: 'reached', label: command.label });
    return;
  }
  const counts = countsOf(command.label);
  const report: SinkReport = {
    type: 'report',
    label: command.label,
    messages: counts.messages,
    bytes: counts.bytes,
    recipients: [...counts.recipients],
    firstMessage: counts.firstMessage,
  };
  process.send?.(report);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
// The bench process has exited (after Ctrl-C, for example), so this one exits too.
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.server.address() as AddressInfo).port });
});
