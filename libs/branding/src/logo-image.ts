import { imageSize } from 'image-size';

import { detectLogoType, LogoContentType } from './image-signature';
import { sanitizeSvg, SvgRejectedError } from './svg-sanitizer';

/** Largest logo upload accepted, in bytes. */
export const MAX_LOGO_BYTES = 1024 * 1024;

/** Smallest and largest width or height, in pixels, of a PNG, JPEG or WebP logo. */
export const MIN_LOGO_PIXELS = 16;
export const MAX_LOGO_PIXELS = 4096;

/** A rejected logo upload. The message explains why and what to do next. */
export class LogoRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogoRejectedError';
  }
}

/** A logo ready to store: the bytes to serve, their type and, for SVG, what was removed. */
export interface PreparedLogo {
  bytes: Buffer;
  contentType: LogoContentType;
  removed: string[];
}

const FORMAT_NAMES: Record<string, string> = { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/webp': 'WebP' };
// image-size names formats by its own short codes.
const IMAGE_SIZE_TYPES: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

export function formatLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}

function checkRaster(bytes: Buffer, contentType: LogoContentType): void {
  const format = FORMAT_NAMES[contentType];
  let size: { width?: number; height?: number; type?: string };
  try {
    size = imageSize(bytes);
  } catch {
    throw new LogoRejectedError(`The file starts like a ${format} image but could not be read. Save it again and upload the new file.`);
  }
  if (size.type !== IMAGE_SIZE_TYPES[contentType] || !size.width || !size.height) {
    throw new LogoRejectedError(`The file starts like a ${format} image but could not be read. Save it again and upload the new file.`);
  }

  const { width, height } = size;
  if (width < MIN_LOGO_PIXELS || height < MIN_LOGO_PIXELS) {
    throw new LogoRejectedError(
      `The image is ${width}×${height} pixels, but a logo must be at least ${MIN_LOGO_PIXELS} pixels wide and high.`,
    );
  }
  if (width > MAX_LOGO_PIXELS || height > MAX_LOGO_PIXELS) {
    throw new LogoRejectedError(
      `The image is ${width}×${height} pixels, but a logo may be at most ${MAX_LOGO_PIXELS} pixels wide and high. Scale it down and upload it again.`,
    );
  }
}

/**
 * Checks an uploaded logo and returns what to store. The format comes from
 * the bytes alone. Raster images must be within the pixel limits, and SVG
 * is rebuilt by sanitizeSvg.
 */
export function prepareLogo(bytes: Buffer): PreparedLogo {
  if (bytes.length === 0) throw new LogoRejectedError('The logo file is empty.');
  if (bytes.length > MAX_LOGO_BYTES) {
    throw new LogoRejectedError(`The logo file is larger than ${formatLimit(MAX_LOGO_BYTES)}. Upload a smaller file.`);
  }

  const contentType = detectLogoType(bytes);
  if (!contentType) throw new LogoRejectedError('The file is not a PNG, JPEG, WebP or SVG image.');
  if (contentType !== 'image/svg+xml') {
    checkRaster(bytes, contentType);
    return { bytes, contentType, removed: [] };
  }

  try {
    const { svg, removed } = sanitizeSvg(bytes);
    return { bytes: svg, contentType, removed };
  } catch (error) {
    if (error instanceof SvgRejectedError) throw new LogoRejectedError(error.message);
    throw error;
  }
}
