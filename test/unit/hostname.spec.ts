import { normalizeHost, platformSlug } from '../../libs/tenancy/src/hostname';

describe('normalizeHost', () => {
  it.each([
    ['Acme.Localhost', 'acme.localhost'],
    ['acme.localhost:3000', 'acme.localhost'],
    ['acme.localhost.', 'acme.localhost'],
    ['ACME.LOCALHOST.:443', 'acme.localhost'],
    ['portal.bücher.example', 'portal.xn--bcher-kva.example'],
    ['PORTAL.BÜCHER.EXAMPLE', 'portal.xn--bcher-kva.example'],
  ])('normalises %s', (raw, expected) => {
    expect(normalizeHost(raw)).toBe(expected);
  });

  it.each([
    [''],
    ['127.0.0.1'],
    ['127.0.0.1:3000'],
    ['[::1]:3000'],
    ['evil.example@acme.localhost'],
    ['acme.localhost/path'],
    ['acme.localhost:notaport'],
    ['-bad.localhost'],
    ['a..b.localhost'],
    [`${'a'.repeat(64)}.localhost`],
  ])('rejects %s', (raw) => {
    expect(normalizeHost(raw)).toBeNull();
  });
});

describe('platformSlug', () => {
  it('finds the slug of a platform host', () => {
    expect(platformSlug('acme.localhost', 'localhost')).toBe('acme');
  });

  it('ignores nested subdomains', () => {
    expect(platformSlug('x.acme.localhost', 'localhost')).toBeNull();
  });

  it('ignores other domains', () => {
    expect(platformSlug('acme.example', 'localhost')).toBeNull();
  });

  it('ignores the base domain itself', () => {
    expect(platformSlug('localhost', 'localhost')).toBeNull();
  });
});
