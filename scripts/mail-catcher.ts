import { createServer, Server } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
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

// Only http(s) links become clickable; the rest of the text stays escaped.
const LINK = /https?:\/\/[^\s<>"']+/g;

/** Escapes plain text and turns its http(s) addresses into links. */
function linkify(text: string): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    html += escapeHtml(text.slice(last, match.index));
    const url = escapeHtml(match[0]);
    html += `<a href="${url}" rel="noreferrer">${url}</a>`;
    last = (match.index ?? 0) + match[0].length;
  }
  return html + escapeHtml(text.slice(last));
}

/** Shows one message: its headers, the plain-text part with working links, and the source. */
async function messagePage(mail: CaughtMail): Promise<string> {
  const parsed = await simpleParser(mail.raw);
  const text = parsed.text ?? '(This message has no plain-text part.)';
  return `<p><a href="/">All mail</a></p>
<h1>${escapeHtml(parsed.subject ?? '(no subject)')}</h1>
<p>From ${escapeHtml(parsed.from?.text ?? mail.from)} to ${escapeHtml(mail.to.join(', '))}, received ${mail.receivedAt.toISOString()}</p>
<pre>${linkify(text)}</pre>
<details><summary>Message source</summary><pre>${escapeHtml(mail.raw)}</pre></details>`;
}

function header(raw: string, name: string): string {
  const match = new RegExp(`^${name}: (.*)$`, 'mi').exec(raw.split(/\r?\n\r?\n/)[0] ?? '');
  return match?.[1] ?? '';
}

/**
 * Starts the demo's SMTP sink. It accepts any message on loopback, keeps the
 * newest 200 in memory and lists them on a web page. A message shows as its
 * escaped plain-text part with clickable links, so following an invitation
 * takes one click and nothing in a message runs in the browser. Rejects
 * with the port's error when either port is taken.
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
  // SMTPServer re-emits its socket's errors on itself, where an unheard one would end the process.
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(smtpPort, '127.0.0.1', () => {
      smtp.off('error', reject);
      resolve();
    });
  });
  smtp.on('error', (error: Error) => console.error(`Demo mail catcher: ${error.message}`));

  const web: Server = createServer((req, res) => {
    const id = Number(/^\/mail\/(\d+)$/.exec(req.url ?? '')?.[1]);
    const mail = mails.find((candidate) => candidate.id === id);
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    const page = (title: string, body: string) =>
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>body{font-family:system-ui,sans-serif;margin:2rem}td,th{padding:.3rem .8rem;text-align:left}pre{white-space:pre-wrap;background:#f4f6f8;padding:1rem}</style></head><body>${body}</body></html>`;
    if (mail) {
      messagePage(mail).then(
        (body) => res.end(page(`Mail ${mail.id}`, body)),
        () => res.end(page(`Mail ${mail.id}`, `<p><a href="/">All mail</a></p><pre>${escapeHtml(mail.raw)}</pre>`)),
      );
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
  try {
    await listenOrFail(web, () => web.listen(webPort, '127.0.0.1'));
  } catch (error) {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    throw error;
  }

  return {
    smtpPort: (smtp.server.address() as AddressInfo).port,
    webPort: (web.address() as AddressInfo).port,
    close: async () => {
      await new Promise<void>((resolve) => web.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}

/** Starts listening and resolves once bound, or rejects with the bind error (such as EADDRINUSE). */
function listenOrFail(server: EventEmitter, listen: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.once('listening', () => {
      server.off('error', failed);
      resolve();
    });
    listen();
  });
}
