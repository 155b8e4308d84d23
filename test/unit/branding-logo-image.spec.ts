import { detectLogoType } from '../../libs/branding/src/image-signature';
import {
  LogoRejectedError,
  MAX_LOGO_BYTES,
  MAX_LOGO_PIXELS,
  MIN_LOGO_PIXELS,
  prepareLogo,
} from '../../libs/branding/src/logo-image';
import { jpegHeader, pngImage, webpHeader } from '../support/images';

function rejectionOf(bytes: Buffer): string {
  try {
    prepareLogo(bytes);
  } catch (error) {
    if (error instanceof LogoRejectedError) return error.message;
    throw error;
  }
  throw new Error('the logo was accepted');
}

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>';

describe('logo type detection', () => {
  it.each([
    ['PNG', pngImage(20, 20), 'image/png'],
    ['JPEG', jpegHeader(64, 32), 'image/jpeg'],
    ['WebP', webpHeader(64, 32), 'image/webp'],
    ['SVG', Buffer.from(SVG), 'image/svg+xml'],
    ['SVG after an XML declaration and comment', Buffer.from(`\uFEFF<?xml version="1.0"?>\n<!-- logo -->\n${SVG}`), 'image/svg+xml'],
  ])('recognises %s from its bytes', (_name, bytes, type) => {
    expect(detectLogoType(bytes)).toBe(type);
  });

  it.each([
    ['GIF', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')],
    ['PDF', Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n')],
    ['plain text', Buffer.from('company logo, please use the blue one')],
    ['an executable', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00])],
    ['HTML', Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')],
    ['binary with an svg tag', Buffer.concat([Buffer.from('<svg viewBox="0 0 1 1">'), Buffer.from([0, 1, 2])])],
  ])('does not take %s for a logo', (_name, bytes) => {
    expect(detectLogoType(bytes)).toBeNull();
  });
});

describe('logo preparation', () => {
  it('accepts PNG, JPEG and WebP within the pixel limits', () => {
    const png = pngImage(200, 50);

    expect(prepareLogo(png)).toEqual({ bytes: png, contentType: 'image/png', removed: [] });
    expect(prepareLogo(jpegHeader(400, 100)).contentType).toBe('image/jpeg');
    expect(prepareLogo(webpHeader(MAX_LOGO_PIXELS, MIN_LOGO_PIXELS)).contentType).toBe('image/webp');
  });

  it('rejects raster images below the minimum size', () => {
    expect(rejectionOf(pngImage(MIN_LOGO_PIXELS - 1, 40))).toContain(`at least ${MIN_LOGO_PIXELS} pixels`);
    expect(rejectionOf(jpegHeader(200, 8))).toContain('200×8 pixels');
  });

  it('rejects raster images above the maximum size', () => {
    expect(rejectionOf(webpHeader(MAX_LOGO_PIXELS + 1, 100))).toContain(`at most ${MAX_LOGO_PIXELS} pixels`);
    expect(rejectionOf(jpegHeader(100, 20000))).toContain('at most');
  });

  it('rejects a file that starts like a PNG but is not one', () => {
    const fake = Buffer.concat([pngImage(20, 20).subarray(0, 8), Buffer.from('<script>alert(1)</script>')]);

    expect(rejectionOf(fake)).toContain('starts like a PNG image but could not be read');
  });

  it('rejects files that are not images', () => {
    expect(rejectionOf(Buffer.from('%PDF-1.7\n'))).toBe('The file is not a PNG, JPEG, WebP or SVG image.');
    expect(rejectionOf(Buffer.from('GIF89a\x10\x00\x10\x00', 'latin1'))).toBe('The file is not a PNG, JPEG, WebP or SVG image.');
  });

  it('rejects an empty file and one over the size limit', () => {
    expect(rejectionOf(Buffer.alloc(0))).toBe('The logo file is empty.');
    expect(rejectionOf(Buffer.concat([pngImage(20, 20), Buffer.alloc(MAX_LOGO_BYTES)]))).toContain('larger than 1 MB');
  });

  it('sanitizes an SVG and reports what it removed', () => {
    const logo = prepareLogo(Buffer.from(SVG.replace('<rect', '<script>alert(1)</script><rect')));

    expect(logo.contentType).toBe('image/svg+xml');
    expect(logo.bytes.toString()).not.toContain('script');
    expect(logo.removed).toEqual(['<script> elements']);
  });

  it('passes the sanitizer reason on for a hostile SVG', () => {
    expect(rejectionOf(Buffer.from(`<!DOCTYPE svg [<!ENTITY a "b">]>${SVG}`))).toContain('declares XML entities');
  });
});
