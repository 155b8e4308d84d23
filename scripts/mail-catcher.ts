import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

interface CaughtMail {
  id: number;
  receivedAt: Date;
  from: string;
  to: string[];
  raw: string;
}

const KEPT = 200;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function header(raw: string, name: string): string {
  const match = new RegExp(`^${name}: (.*)$`, 'mi').exec(raw.split(/\r?\n\r?\n/)[0] ?? '');
  return match?.[1] ?? '';
}

/**
 * Starts the demo's SMTP sink. It accepts any message on loopback, keeps the
 * newest 200 in memory and lists them on a web page as escaped source text,
 * so nothing in a message runs in the browser.
 */
export async function startMailCatcher(
  smtpPort: number,
  webPort: number,
): Promise<{ smtpPort: number; webPort: number; close: () => Promise<void> }> {
  const mails: CaughtMail[] = [];
  let next = 1;

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.unshift({
          id: next++,
          receivedAt: new Date(),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((address) => address.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        mails.length = Math.min(mails.length, KEPT);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));

  const web: Server = createServer((req, res) => {
    const id = Number(/^\/mail\/(\d+)$/.exec(req.url ?? '')?.[1]);
    const mail = mails.find((candidate) => candidate.id === id);
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    const page = (title: string, body: string) =>
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>body{font-family:system-ui,sans-serif;margin:2rem}td,th{padding:.3rem .8rem;text-align:left}pre{white-space:pre-wrap;background:#f4f6f8;padding:1rem}</style></head><body>${body}</body></html>`;
    if (mail) {
      res.end(page(`Mail ${mail.id}`, `<p><a href="/">All mail</a></p><pre>${escapeHtml(mail.raw)}</pre>`));
      return;
    }
    const rows = mails
      .map(
        (item) =>
          `<tr><td>${item.receivedAt.toISOString()}</td><td>${escapeHtml(item.to.join(', '))}</td><td><a href="/mail/${item.id}">${escapeHtml(header(item.raw, 'Subject') || '(no subject)')}</a></td></tr>`,
      )
      .join('');
    res.end(
      page(
        'Demo mail',
        `<h1>Mail sent by the demo</h1>${rows ? `<table><tr><th>Received</th><th>To</th><th>Subject</th></tr>${rows}</table>` : '<p>No mail yet.</p>'}`,
      ),
    );
  });
  await new Promise<void>((resolve) => web.listen(webPort, '127.0.0.1', resolve));

  return {
    smtpPort: (smtp.server.address() as AddressInfo).port,
    webPort: (web.address() as AddressInfo).port,
    close: async () => {
      await new Promise<void>((resolve) => web.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
