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
    expect(await mail.text()).toContain('http://acme.localhost:3000/set-password');
  });
});
