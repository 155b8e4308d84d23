import {
  brandContrastChecks,
  contrastRatio,
  darkerShade,
  MIN_TEXT_CONTRAST,
  PORTAL_BACKGROUND,
  relativeLuminance,
  WHITE,
} from '../../libs/branding/src/contrast';

describe('WCAG contrast maths', () => {
  it('gives black and white luminance 0 and 1', () => {
    expect(relativeLuminance('#000000')).toBe(0);
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 10);
  });

  it('matches published luminance values', () => {
    // sRGB primaries weigh 0.2126, 0.7152 and 0.0722.
    expect(relativeLuminance('#ff0000')).toBeCloseTo(0.2126, 4);
    expect(relativeLuminance('#00ff00')).toBeCloseTo(0.7152, 4);
    expect(relativeLuminance('#0000ff')).toBeCloseTo(0.0722, 4);
    expect(relativeLuminance('#808080')).toBeCloseTo(0.2159, 3);
  });

  it('rates black on white 21:1 and a colour on itself 1:1', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 10);
    expect(contrastRatio('#1f4e79', '#1f4e79')).toBe(1);
  });

  it('does not depend on argument order', () => {
    expect(contrastRatio('#1f4e79', WHITE)).toBe(contrastRatio(WHITE, '#1f4e79'));
  });

  it('puts the AA boundary between #767676 and #777777', () => {
    expect(contrastRatio('#767676', WHITE)).toBeCloseTo(4.54, 2);
    expect(contrastRatio('#777777', WHITE)).toBeCloseTo(4.48, 2);
  });

  it('rejects colours that are not #rrggbb', () => {
    expect(() => relativeLuminance('red')).toThrow('#1f4e79');
    expect(() => relativeLuminance('#FFF')).toThrow();
  });
});

describe('darker shade suggestion', () => {
  it('keeps a colour that already passes', () => {
    expect(darkerShade('#1f4e79', [WHITE])).toBe('#1f4e79');
  });

  it.each(['#ff9900', '#ffff00', '#00c853', '#87ceeb', '#ffffff', '#ff5252'])('darkens %s just enough', (color) => {
    const shade = darkerShade(color, [WHITE]);

    expect(shade).toMatch(/^#[0-9a-f]{6}$/);
    expect(contrastRatio(shade, WHITE)).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    expect(relativeLuminance(shade)).toBeLessThanOrEqual(relativeLuminance(color));
    // The binary search stops near the boundary rather than at black.
    expect(contrastRatio(shade, WHITE)).toBeLessThan(MIN_TEXT_CONTRAST + 0.2);
  });

  it('keeps the hue of the colour', () => {
    const shade = darkerShade('#ff9900', [WHITE]);
    const [red, green, blue] = [1, 3, 5].map((start) => parseInt(shade.slice(start, start + 2), 16));

    expect(blue).toBe(0);
    expect(green / red).toBeCloseTo(0x99 / 0xff, 1);
  });

  it('meets every background it is given', () => {
    const shade = darkerShade('#3d7ab8', [WHITE, PORTAL_BACKGROUND]);

    expect(contrastRatio(shade, WHITE)).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    expect(contrastRatio(shade, PORTAL_BACKGROUND)).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
  });
});

describe('brand contrast checks', () => {
  it('passes dark brand colours', () => {
    const checks = brandContrastChecks('#1f4e79', '#a3120f');

    expect(checks).toHaveLength(3);
    expect(checks.every((check) => check.passes)).toBe(true);
  });

  it('flags a light primary colour twice and a light accent once', () => {
    const failing = brandContrastChecks('#87ceeb', '#ffcc00').filter((check) => !check.passes);

    expect(failing.map((check) => check.field)).toEqual(['primary_color', 'primary_color', 'accent_color']);
  });

  it('checks primary links against the page background, not white', () => {
    // #737373 passes on white (4.74:1) but not on the portal's grey page (4.4:1).
    const [onPrimary, link] = brandContrastChecks('#737373', '#000000');

    expect(onPrimary.passes).toBe(true);
    expect(link.passes).toBe(false);
    expect(link.ratio).toBeCloseTo(contrastRatio('#737373', PORTAL_BACKGROUND), 10);
  });
});
