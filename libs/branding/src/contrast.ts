/**
 * WCAG 2.x contrast ratios between brand colours and what is drawn on or
 * around them. Colours are six-digit hex strings such as #1f4e79.
 */

/** WCAG AA minimum for normal-size text. */
export const MIN_TEXT_CONTRAST = 4.5;

export const WHITE = '#ffffff';

/** The portal's page background: `--background` in apps/portal/src/public/portal.css. */
export const PORTAL_BACKGROUND = '#f4f6f8';

const HEX_COLOR = /^#[0-9a-f]{6}$/;

export function isHexColor(value: string): boolean {
  return HEX_COLOR.test(value);
}

function channels(hex: string): [number, number, number] {
  if (!isHexColor(hex)) throw new Error(`expected a colour such as #1f4e79, got ${JSON.stringify(hex)}`);
  return [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16)) as [number, number, number];
}

function toHex(rgb: number[]): string {
  return `#${rgb.map((channel) => channel.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Computes relative luminance from 0 (black) to 1 (white). The sRGB
 * linearisation threshold is 0.04045, the value of IEC 61966-2-1; WCAG 2.1
 * prints 0.03928, which gives the same result for every 8-bit channel.
 */
export function relativeLuminance(hex: string): number {
  const [red, green, blue] = channels(hex).map((channel) => {
    const value = channel / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
}

/** Computes the contrast ratio between two colours, from 1 (none) to 21 (black on white). */
export function contrastRatio(first: string, second: string): number {
  const [lighter, darker] = [relativeLuminance(first), relativeLuminance(second)].sort((a, b) => b - a);
  return (lighter + 0.05) / (darker + 0.05);
}

function scaled(rgb: number[], factor: number): number[] {
  return rgb.map((channel) => Math.floor(channel * factor));
}

function meetsAll(hex: string, backgrounds: readonly string[], minimum: number): boolean {
  return backgrounds.every((background) => contrastRatio(hex, background) >= minimum);
}

/**
 * Finds the lightest darker shade of a colour (the same hue, every channel
 * scaled by one factor) that reaches the minimum contrast against each of
 * the given light backgrounds. Returns the colour unchanged when it already
 * does. Black reaches 4.5:1 against #767676 and every lighter background, so
 * a shade exists for the backgrounds the portal uses.
 */
export function darkerShade(hex: string, backgrounds: readonly string[], minimum = MIN_TEXT_CONTRAST): string {
  if (meetsAll(hex, backgrounds, minimum)) return hex;

  const rgb = channels(hex);
  // Luminance falls as the factor falls, so a binary search finds the largest factor that passes.
  let passing = 0;
  let failing = 1;
  for (let step = 0; step < 24; step += 1) {
    const middle = (passing + failing) / 2;
    if (meetsAll(toHex(scaled(rgb, middle)), backgrounds, minimum)) passing = middle;
    else failing = middle;
  }
  return toHex(scaled(rgb, passing));
}

/** One contrast check as the branding page shows it. */
export interface ContrastCheck {
  /** Form field of the colour checked. */
  field: 'primary_color' | 'accent_color';
  /** Plain-language description of the pair of colours checked. */
  pairing: string;
  ratio: number;
  passes: boolean;
}

/**
 * Checks white text on the primary and accent colours, and the primary
 * colour as link text on the portal's page background.
 */
export function brandContrastChecks(primary: string, accent: string): ContrastCheck[] {
  const check = (field: ContrastCheck['field'], pairing: string, foreground: string, background: string) => {
    const ratio = contrastRatio(foreground, background);
    return { field, pairing, ratio, passes: ratio >= MIN_TEXT_CONTRAST };
  };
  return [
    check('primary_color', 'White text on the primary colour', WHITE, primary),
    check('primary_color', 'Primary-colour links on the page background', primary, PORTAL_BACKGROUND),
    check('accent_color', 'White text on the accent colour', WHITE, accent),
  ];
}

/** Backgrounds each colour must stand out against, as brandContrastChecks pairs them. */
export const CONTRAST_BACKGROUNDS: Record<ContrastCheck['field'], readonly string[]> = {
  primary_color: [WHITE, PORTAL_BACKGROUND],
  accent_color: [WHITE],
};
