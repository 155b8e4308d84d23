import nodemailer from 'nodemailer';

import { startMailCatcher } from '../../scripts/mail-catcher';

describe('demo mail catcher', () => {
  let catcher: Awaited<ReturnType<typeof startMailCatcher>>;

  beforeAll(async () => {
    catcher = await startMailCatcher(0, 0);
  });

  afterAll(() => catcher.close());

  it('lists caught mail with every value escaped', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: catcher.smtpPort, secure: false, ignoreTLS: true });
    await transport.sendMail({
      from: 'sender@example.test',
      to: 'reader@example.test',
      subject: 'Hello <script>alert(1)</script>',
      text: 'Set your password: http://acme.localhost:3000/set-password',
    });
    transport.close();

    const list = await (await fetch(`http://127.0.0.1:${catcher.webPort}/`)).text();
    expect(list).toContain('reader@example.test');
    expect(list).not.toContain('<script>');
    expect(list).toContain('Hello &#60;script&#62;');

    const mail = await fetch(`http://127.0.0.1:${catcher.webPort}/mail/1`);
    expect(mail.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await mail.text();
    expect(page).toContain('<a href="http://acme.localhost:3000/set-password" rel="noreferrer">');
    expect(page).not.toContain('<script>');
  });

  it('shows a long quoted-printable link whole and clickable', async () => {
    const link = `http://acme.localhost:3000/set-password?token=${'A1b2_C3d4-'.repeat(8)}`;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: catcher.smtpPort, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'a@example.test', to: 'long@example.test', subject: 'Long link', text: `Open ${link} now. <b>bold</b>` });
    transport.close();
    const list = await (await fetch(`http://127.0.0.1:${catcher.webPort}/`)).text();
    const id = /href="\/mail\/(\d+)">Long link/.exec(list)?.[1];
    const page = await (await fetch(`http://127.0.0.1:${catcher.webPort}/mail/${id}`)).text();
    expect(page).toContain(`<a href="${link}" rel="noreferrer">${link}</a>`);
    expect(page).toContain('&#60;b&#62;bold&#60;/b&#62;');
  });

  it('rejects with EADDRINUSE when its SMTP port is taken', async () => {
    await expect(startMailCatcher(catcher.smtpPort, 0)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
