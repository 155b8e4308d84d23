import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { binaryRequest, BinaryResponse } from './attachments';
import { csrfFrom, PortalClient } from './portal-harness';

export interface FormFile {
  name: string;
  bytes: Buffer;
  /** The type the browser declares, which the server must ignore. */
  type?: string;
}

/** Builds the multipart body the service request form sends: the fields in order, then the files. */
export function multipartForm(fields: Array<[string, string]>, files: FormFile[] = []): { body: Buffer; contentType: string } {
  const boundary = `----request${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${file.name}"\r\n` +
          `Content-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Reads the CSRF token and the one-time submission key from a rendered request form. */
export function formKeysFrom(html: string): { csrf: string; submissionKey: string } {
  const key = /name="submission_key" value="([^"]+)"/.exec(html);
  if (!key) throw new Error('page has no submission key');
  return { csrf: csrfFrom(html), submissionKey: key[1] };
}

/** Posts the form as the client's browser would, with its cookies. */
export function postRequestForm(client: PortalClient, fields: Array<[string, string]>, files: FormFile[] = []): Promise<BinaryResponse> {
  const { body, contentType } = multipartForm(fields, files);
  const headers = { host: client.host, cookie: client.cookieHeader(), 'content-type': contentType, 'content-length': String(body.length) };
  return binaryRequest(client.port, '/service-requests/new', headers, { method: 'POST', body });
}

/** Lists every file under a folder, as paths relative to it; a missing folder lists nothing. */
export async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1));
}

/** Builds random bytes with a JPEG's first bytes, which is all the upload check reads. */
export function jpegBytes(size = 2048): Buffer {
  const bytes = randomBytes(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return bytes;
}

/** Builds the start of an HEIC file as phones write it, an ftyp box with the heic brand, then random bytes. */
export function heicBytes(): Buffer {
  const box = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic', 'latin1'), Buffer.from([0, 0, 0, 0]), Buffer.from('mif1heic', 'latin1')]);
  return Buffer.concat([box, randomBytes(512)]);
}
