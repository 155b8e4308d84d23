/** A rendered email as nodemailer takes it, with attachments in base64 so it can pass over IPC. */
export interface MessageTemplate {
  from: string;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  attachments: Array<{ filename?: string; contentType: string; cid?: string; base64: string }>;
}

interface MimeEntity {
  headers: Map<string, string>;
  body: string;
}

function parseEntity(raw: string): MimeEntity {
  const split = raw.indexOf('\n\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 2);
  const headers = new Map<string, string>();
  // Continuation lines start with white space and belong to the header above.
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function parameter(header: string, name: string): string | undefined {
  const match = new RegExp(`${name}="?([^";]+)"?`, 'i').exec(header);
  return match?.[1];
}

/** Collects the non-multipart entities of a message, depth first, in the order they appear. */
function leaves(entity: MimeEntity): MimeEntity[] {
  const type = entity.headers.get('content-type') ?? 'text/plain';
  const boundary = parameter(type, 'boundary');
  if (!/^multipart\//i.test(type) || !boundary) return [entity];
  const sections = entity.body.split(`--${boundary}`);
  // The first section is the preamble and the last follows the closing delimiter.
  return sections.slice(1, -1).flatMap((section) => leaves(parseEntity(section.replace(/^\n/, ''))));
}

function decodeBody(entity: MimeEntity): Buffer {
  const encoding = (entity.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const body = entity.body.replace(/\n$/, '');
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding !== 'quoted-printable') return Buffer.from(body);
  const bytes: number[] = [];
  const softBreaksRemoved = body.replace(/=\n/g, '');
  for (let index = 0; index < softBreaksRemoved.length; index += 1) {
    const character = softBreaksRemoved[index];
    const hex = softBreaksRemoved.slice(index + 1, index + 3);
    if (character === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      index += 2;
    } else {
      // Quoted-printable text is ASCII, so each character is one byte.
      bytes.push(character.charCodeAt(0));
    }
  }
  return Buffer.from(bytes);
}

/**
 * Takes apart a message as nodemailer writes it (multipart/alternative with
 * a text part and an HTML part, inline images beside the HTML), so the
 * baseline can send the same content. Only the shapes nodemailer produces
 * are handled: no nested message/rfc822 and no encoded-word headers.
 */
export function templateFromMessage(raw: string): MessageTemplate {
  const message = parseEntity(raw.replace(/\r\n/g, '\n'));
  const parts = leaves(message);
  const typeOf = (part: MimeEntity) => (part.headers.get('content-type') ?? 'text/plain').split(';')[0].trim().toLowerCase();
  const text = parts.find((part) => typeOf(part) === 'text/plain');
  const html = parts.find((part) => typeOf(part) === 'text/html');
  if (!text || !html) throw new Error('the sample message has no text/plain or no text/html part');

  return {
    from: message.headers.get('from') ?? '',
    replyTo: message.headers.get('reply-to'),
    subject: message.headers.get('subject') ?? '',
    text: decodeBody(text).toString('utf8'),
    html: decodeBody(html).toString('utf8'),
    attachments: parts
      .filter((part) => part !== text && part !== html)
      .map((part) => ({
        filename: parameter(part.headers.get('content-disposition') ?? '', 'filename'),
        contentType: typeOf(part),
        cid: part.headers.get('content-id')?.replace(/^<|>$/g, ''),
        base64: decodeBody(part).toString('base64'),
      })),
  };
}
