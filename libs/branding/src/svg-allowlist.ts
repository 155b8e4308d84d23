/**
 * Allowlist for uploaded SVG logos: known-safe elements and attributes, CSS
 * values without resource loads, and references to ids in the same file.
 * Everything not listed here is removed.
 */

/** Elements kept with their allowed attributes. */
export const ALLOWED_ELEMENTS = new Set([
  'svg', 'g', 'defs', 'title', 'desc', 'symbol', 'use', 'style',
  'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'image',
  'text', 'tspan', 'textPath',
  'linearGradient', 'radialGradient', 'stop', 'pattern', 'clipPath', 'mask', 'marker',
  'filter', 'feBlend', 'feColorMatrix', 'feComponentTransfer', 'feFuncR', 'feFuncG', 'feFuncB', 'feFuncA',
  'feComposite', 'feDropShadow', 'feFlood', 'feGaussianBlur', 'feMerge', 'feMergeNode', 'feMorphology', 'feOffset',
]);

/** Elements replaced by their children: a link does nothing in a logo, but its shapes should stay. */
export const UNWRAPPED_ELEMENTS = new Set(['a']);

/** Elements that put something on the page; a logo without any of them is empty. */
export const DRAWING_ELEMENTS = new Set(['path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'image', 'text', 'use']);

/** Elements whose text content is kept. */
export const TEXT_ELEMENTS = new Set(['title', 'desc', 'text', 'tspan', 'textPath']);

/** Properties allowed in style attributes and <style> rules; each is also a presentation attribute. */
export const CSS_PROPERTIES = new Set([
  'fill', 'fill-opacity', 'fill-rule', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-linecap',
  'stroke-linejoin', 'stroke-miterlimit', 'stroke-dasharray', 'stroke-dashoffset', 'opacity', 'color',
  'display', 'visibility', 'clip-path', 'clip-rule', 'mask', 'filter', 'transform', 'transform-origin',
  'font-family', 'font-size', 'font-weight', 'font-style', 'font-variant', 'font-stretch', 'letter-spacing',
  'word-spacing', 'text-anchor', 'text-decoration', 'dominant-baseline', 'alignment-baseline',
  'baseline-shift', 'stop-color', 'stop-opacity', 'flood-color', 'flood-opacity', 'lighting-color',
  'paint-order', 'vector-effect', 'shape-rendering', 'text-rendering', 'image-rendering', 'color-interpolation',
  'color-interpolation-filters', 'mix-blend-mode', 'isolation', 'marker', 'marker-start', 'marker-mid',
  'marker-end', 'overflow',
]);

/** Geometry and structure attributes, checked like CSS values. */
const GEOMETRY_ATTRIBUTES = [
  'x', 'y', 'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r', 'rx', 'ry', 'fx', 'fy', 'fr', 'width', 'height',
  'd', 'points', 'pathLength', 'viewBox', 'preserveAspectRatio', 'version', 'dx', 'dy', 'rotate',
  'textLength', 'lengthAdjust', 'startOffset', 'method', 'spacing', 'side',
  'offset', 'gradientUnits', 'gradientTransform', 'spreadMethod', 'patternUnits', 'patternContentUnits',
  'patternTransform', 'clipPathUnits', 'maskUnits', 'maskContentUnits', 'markerUnits', 'markerWidth',
  'markerHeight', 'refX', 'refY', 'orient', 'filterUnits', 'primitiveUnits', 'in', 'in2', 'result',
  'mode', 'operator', 'k1', 'k2', 'k3', 'k4', 'values', 'type', 'tableValues', 'slope', 'intercept',
  'amplitude', 'exponent', 'stdDeviation', 'edgeMode', 'radius',
];

/** Attributes without a namespace that are kept when their value passes isSafeCssValue. */
export const VALUE_ATTRIBUTES = new Set([...GEOMETRY_ATTRIBUTES, ...CSS_PROPERTIES]);

/** Attributes whose value is plain text, never read as CSS or a URL; they are kept escaped. */
export const TEXT_ATTRIBUTES = new Set(['role', 'aria-label', 'aria-labelledby', 'aria-describedby', 'aria-hidden', 'lang']);

/** Names: ids and classes. */
export const NAME_ATTRIBUTES = new Set(['id', 'class']);

const NAME_VALUE = /^[A-Za-z0-9_. -]{1,200}$/;

export function isSafeName(value: string): boolean {
  return NAME_VALUE.test(value);
}

/** CSS functions that compute a colour, a length or a transform and load nothing. */
const SAFE_FUNCTIONS = new Set([
  'rgb', 'rgba', 'hsl', 'hsla', 'url', 'matrix', 'translate', 'scale', 'rotate', 'skewx', 'skewy',
]);

// The only url() a logo may use points at an id in the same file, such as url(#gradient).
const LOCAL_URL = /^url\(\s*(['"]?)#[A-Za-z0-9_.-]+\1\s*\)/i;

/**
 * Returns true when a presentation value or CSS declaration value can load
 * nothing. Backslashes are refused because a CSS escape can spell url(
 * invisibly, colons because a value never needs one but a scheme does, and
 * @, ;, braces and angle brackets because they only serve to break out of
 * the value.
 */
export function isSafeCssValue(value: string): boolean {
  if (/[\\:;@{}<>]/.test(value) || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) return false;

  for (const call of value.matchAll(/([A-Za-z-]*)\s*\(/g)) {
    const name = call[1].toLowerCase();
    if (!SAFE_FUNCTIONS.has(name)) return false;
    if (name === 'url' && !LOCAL_URL.test(value.slice(call.index).replace(/^url\s*\(/i, 'url('))) return false;
  }
  return true;
}

/** Returns true for a reference to an id in the same file, such as #gradient. */
export function isLocalReference(value: string): boolean {
  return /^#[A-Za-z0-9_.-]+$/.test(value.trim());
}

/**
 * Rebuilds a list of CSS declarations, keeping the allowed properties with
 * safe values. Returns the kept declarations and the names of the dropped ones.
 */
export function sanitizeDeclarations(text: string): { css: string; dropped: string[] } {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const declaration of text.split(';')) {
    if (declaration.trim() === '') continue;
    const colon = declaration.indexOf(':');
    const property = (colon === -1 ? declaration : declaration.slice(0, colon)).trim().toLowerCase();
    const value = colon === -1 ? '' : declaration.slice(colon + 1).trim();
    if (CSS_PROPERTIES.has(property) && value !== '' && isSafeCssValue(value)) kept.push(`${property}: ${value}`);
    else dropped.push(property || 'an empty property');
  }
  return { css: kept.join('; '), dropped };
}

const RULE = /([^{}]+)\{([^{}]*)\}/g;
const SAFE_SELECTOR = /^[A-Za-z0-9_\s.#,>+~*:()[\]="'-]+$/;

/**
 * Rebuilds the text of a <style> element from its plain rules. Returns null
 * when the sheet contains anything else: an at-rule such as @import or
 * @font-face, a CSS escape, or text that is not selector { declarations }.
 */
export function sanitizeStylesheet(text: string): { css: string; dropped: string[] } | null {
  const source = text.replace(/\/\*[\s\S]*?\*\//g, ' ');
  if (/[@\\<]/.test(source)) return null;
  if (source.replace(RULE, '').trim() !== '') return null;

  const rules: string[] = [];
  const dropped: string[] = [];
  for (const [, selector, body] of source.matchAll(RULE)) {
    if (!SAFE_SELECTOR.test(selector.trim())) return null;
    const declarations = sanitizeDeclarations(body);
    dropped.push(...declarations.dropped);
    if (declarations.css) rules.push(`${selector.trim()} { ${declarations.css} }`);
  }
  return { css: rules.join('\n'), dropped };
}
