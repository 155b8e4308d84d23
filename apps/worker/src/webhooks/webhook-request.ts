import type { LookupAddress, LookupOptions } from 'node:dns';
import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

import type { VettedTarget } from '../../../../libs/webhooks/src/webhook-target';

/** How much of a response body is kept for the delivery log. */
export const RESPONSE_EXCERPT_BYTES = 500;

/** The outcome of one POST: a status code with the start of the body, or why no response came. */
export type AttemptResult = { statusCode: number; excerpt: string } | { error: string };

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Returns a `lookup` for http.request that answers with the vetted addresses
 * only, so a DNS answer that changed since the check cannot redirect the
 * connection. The host name still goes into the Host header and, for
 * https, into SNI and the certificate check.
 */
function pinnedLookup(addresses: VettedTarget['addresses']) {
  return (_hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const matching = options.family ? addresses.filter((entry) => entry.family === options.family) : addresses;
    const usable = matching.length > 0 ? matching : addresses;
    if (options.all) callback(null, usable);
    else callback(null, usable[0].address, usable[0].family);
  };
}

/** Replaces NUL and other control characters, which PostgreSQL text cannot store or the log would show garbled. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd');
}

function readExcerpt(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = () => resolve(printable(Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8')));
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      // The rest of a large body is not needed, so the connection is closed early.
      if (size >= RESPONSE_EXCERPT_BYTES) {
        response.destroy();
        finish();
      }
    });
    response.on('end', finish);
    response.on('error', finish);
    response.on('close', finish);
  });
}

/**
 * POSTs the body to the vetted target and returns the response's status and
 * excerpt. Redirects are not followed (Node's http.request never does). The
 * whole exchange must finish within `timeoutMs`.
 */
export function postWebhook(target: VettedTarget, body: string, headers: Record<string, string>, timeoutMs: number): Promise<AttemptResult> {
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };

    const request = send(target.url, {
      method: 'POST',
      // A pooled keep-alive socket would skip the lookup, so every request opens its own connection.
      agent: false,
      lookup: pinnedLookup(target.addresses),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    const timer = setTimeout(() => {
      settle({ error: `timed out after ${timeoutMs} ms` });
      request.destroy();
    }, timeoutMs);

    request.on('response', (response) => {
      void readExcerpt(response).then((excerpt) => settle({ statusCode: response.statusCode ?? 0, excerpt }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => settle({ error: `request failed: ${error.code ?? error.message}` }));
    request.end(body);
  });
}
