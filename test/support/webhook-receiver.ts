import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface WebhookReceiver {
  port: number;
  received: ReceivedWebhook[];
  /** HTTP statuses to respond with, in order, on paths without a handler. Once used up, every request gets 200. */
  respondWith: number[];
  close(): Promise<void>;
}

/** Paths that always get the same awkward response: a redirect, no response, a body far over the excerpt size, NUL bytes. */
const FIXED_RESPONSES: Record<string, (res: ServerResponse) => void> = {
  '/redirect': (res) => res.writeHead(302, { location: '/elsewhere' }).end('moved'),
  '/slow': () => undefined,
  '/long': (res) => res.writeHead(500).end('x'.repeat(100_000)),
  '/binary': (res) => res.writeHead(200).end(Buffer.from([0, 1, 0x6f, 0x6b])),
};

/** Starts an HTTP server on 127.0.0.1 that records every request it receives. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = { port: 0, received: [], respondWith: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      receiver.received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const handler = FIXED_RESPONSES[req.url ?? ''];
      if (handler) return handler(res);
      const status = receiver.respondWith.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : `failing with ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
