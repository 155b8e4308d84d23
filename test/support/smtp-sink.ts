import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  raw: string;
}

/** Starts a real SMTP server on loopback that keeps every message it accepts, optionally after a delay per message. */
export async function startSmtpSink(received: ReceivedMail[], delayMs = 0): Promise<SMTPServer> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const accept = () => {
          received.push({ to: session.envelope.rcptTo.map((address) => address.address), raw: Buffer.concat(chunks).toString() });
          callback();
        };
        if (delayMs > 0) setTimeout(accept, delayMs);
        else accept();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export function smtpUrlOf(server: SMTPServer): string {
  return `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
}

/** Decodes a quoted-printable body part, as nodemailer writes long lines. */
export function decodeQuotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Waits until `count` messages to `recipient` have arrived, or fails after the timeout. */
export async function waitForMail(received: ReceivedMail[], recipient: string, count = 1, timeoutMs = 15_000): Promise<ReceivedMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = received.filter((mail) => mail.to.includes(recipient));
    if (mails.length >= count) {
      // The worker commits a set-password link's token hash just after the
      // SMTP server accepts the message, so a link followed at once can
      // still be unusable for a few milliseconds.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return mails;
    }
    if (Date.now() > deadline) throw new Error(`expected ${count} email(s) to ${recipient}, got ${mails.length}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Returns the first link in the plain-text part whose path starts with `path`. */
export function linkIn(mail: ReceivedMail, path: string): URL {
  const text = decodeQuotedPrintable(mail.raw);
  const match = new RegExp(`https?://[^\\s"<>]+${path.replace(/[/?]/g, '\\$&')}[^\\s"<>]*`).exec(text);
  if (!match) throw new Error(`no ${path} link in the email`);
  return new URL(match[0].replace(/&amp;/g, '&'));
}
