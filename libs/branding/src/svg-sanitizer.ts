import { DOMParser } from '@xmldom/xmldom';
import type { Attr, Element, Node } from '@xmldom/xmldom';

import {
  ALLOWED_ELEMENTS,
  DRAWING_ELEMENTS,
  isLocalReference,
  isSafeCssValue,
  isSafeName,
  NAME_ATTRIBUTES,
  sanitizeDeclarations,
  sanitizeStylesheet,
  TEXT_ATTRIBUTES,
  TEXT_ELEMENTS,
  UNWRAPPED_ELEMENTS,
  VALUE_ATTRIBUTES,
} from './svg-allowlist';
import { detectRasterType } from './image-signature';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

// Bounds on the parsed tree, so a small file cannot make rendering or this walk expensive.
export const MAX_SVG_ELEMENTS = 5000;
export const MAX_SVG_DEPTH = 50;

/** An uploaded SVG that cannot be made safe and usable. The message explains why to the user. */
export class SvgRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SvgRejectedError';
  }
}

/** The rebuilt SVG and a short description of each kind of content that was removed. */
export interface SanitizedSvg {
  svg: Buffer;
  removed: string[];
}

// The removed list names parts of the upload back to the user, so it is kept short.
const MAX_REMOVED_ENTRIES = 20;

function shortName(name: string): string {
  return name.length > 40 ? `${name.slice(0, 40)}…` : name;
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;');
}

/** Accepts a data: URL only when it contains a PNG, JPEG, GIF or WebP image whose bytes match its type. */
function isRasterDataUrl(value: string): boolean {
  const match = /^data:image\/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]+)$/.exec(value.trim());
  if (!match) return false;
  const declared = `image/${match[1]}`;
  return detectRasterType(Buffer.from(match[2], 'base64')) === declared;
}

/** Decodes the upload and removes a DOCTYPE that only names the public SVG DTD. Entity declarations are rejected. */
function decodeSource(bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SvgRejectedError('The SVG file is not valid UTF-8 text.');
  }
  text = text.replace(/^\uFEFF/, '');

  if (/<!ENTITY/i.test(text) || /<!DOCTYPE[^>]*\[/i.test(text)) {
    throw new SvgRejectedError('The SVG file declares XML entities, which are not allowed. Export it again without a DTD.');
  }
  // A DOCTYPE without an internal subset declares nothing, and xmldom never fetches the DTD it names.
  text = text.replace(/<!DOCTYPE[^>]*>/gi, '');
  return text;
}

function parse(text: string): Element {
  let root: Element | null;
  try {
    const document = new DOMParser({
      locator: false,
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(text, 'image/svg+xml');
    root = document.documentElement;
  } catch {
    throw new SvgRejectedError('The SVG file is not well-formed XML.');
  }
  if (!root || root.localName !== 'svg' || (root.namespaceURI !== SVG_NS && root.namespaceURI !== null)) {
    throw new SvgRejectedError('The file is not an SVG image: its root element must be <svg>.');
  }
  return root;
}

const MAX_USE_ELEMENTS = 16;

/** Walks the parsed tree and writes the allowed parts back out. */
class SvgRebuilder {
  readonly removed = new Set<string>();
  drawingElements = 0;
  private elements = 0;
  private useElements = 0;

  constructor(private readonly rootNamespace: string | null) {}

  element(node: Element, depth: number): string {
    const name = node.localName ?? '';
    if (node.namespaceURI !== this.rootNamespace && node.namespaceURI !== SVG_NS) {
      this.removed.add(`<${shortName(node.nodeName)}> elements`);
      return '';
    }
    if (UNWRAPPED_ELEMENTS.has(name)) {
      this.removed.add(`<${name}> links (their content is kept)`);
      return this.children(node, depth);
    }
    if (!ALLOWED_ELEMENTS.has(name)) {
      this.removed.add(`<${shortName(name)}> elements`);
      return '';
    }

    this.elements += 1;
    if (this.elements > MAX_SVG_ELEMENTS || depth > MAX_SVG_DEPTH) {
      throw new SvgRejectedError(
        `The SVG is too complex: at most ${MAX_SVG_ELEMENTS} elements nested at most ${MAX_SVG_DEPTH} deep are allowed.`,
      );
    }
    if (name === 'style') return this.style(node);
    if (name === 'use') {
      // Each <use> may draw a group that contains more <use> elements, so a few
      // nested ones multiply into millions of shapes that freeze a browser.
      // With at most 16 in all, the most any nesting can draw is 4^4 = 256 copies.
      this.useElements += 1;
      if (this.useElements > MAX_USE_ELEMENTS) {
        throw new SvgRejectedError(`The SVG has too many <use> elements: at most ${MAX_USE_ELEMENTS} are allowed.`);
      }
    }

    const attributes = this.attributes(node, name);
    // <use> and <image> draw only what their href points at.
    if ((name === 'use' || name === 'image') && !attributes.includes(' href="')) {
      this.removed.add(`<${name}> elements without a reference inside the file`);
      return '';
    }
    if (DRAWING_ELEMENTS.has(name)) this.drawingElements += 1;
    const namespace = depth === 0 ? ` xmlns="${SVG_NS}"` : '';
    return `<${name}${namespace}${attributes}>${this.children(node, depth)}</${name}>`;
  }

  private children(node: Element, depth: number): string {
    let output = '';
    for (let child: Node | null = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === ELEMENT_NODE) output += this.element(child as Element, depth + 1);
      else if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) {
        if (TEXT_ELEMENTS.has(node.localName ?? '')) output += escapeText(child.nodeValue ?? '');
      }
      // Comments and processing instructions are dropped.
    }
    return output;
  }

  private style(node: Element): string {
    const sheet = sanitizeStylesheet(node.textContent ?? '');
    if (sheet === null) {
      this.removed.add('<style> sheets with @-rules, escapes or resource loads');
      return '';
    }
    for (const property of sheet.dropped) this.removed.add(`CSS ${shortName(property)} declarations`);
    return sheet.css ? `<style>${escapeText(sheet.css)}</style>` : '';
  }

  private attributes(node: Element, elementName: string): string {
    let output = '';
    const attributes = node.attributes;
    for (let index = 0; index < attributes.length; index += 1) {
      const kept = this.attribute(attributes.item(index)!, elementName);
      if (kept) output += ` ${kept[0]}="${escapeAttribute(kept[1])}"`;
    }
    return output;
  }

  /** Returns the attribute's name and value to write, or null to drop it. */
  private attribute(attribute: Attr, elementName: string): [string, string] | null {
    const name = attribute.localName ?? attribute.name;
    const value = attribute.value;
    const namespace = attribute.namespaceURI;

    // Namespace declarations are written again for the root only.
    if (attribute.name === 'xmlns' || attribute.prefix === 'xmlns') return null;
    if (namespace === XML_NS) return name === 'space' && /^(default|preserve)$/.test(value) ? ['xml:space', value] : null;
    if (name === 'href' && (namespace === null || namespace === XLINK_NS)) return this.reference(value, elementName);

    if (namespace !== null) return this.drop(`${shortName(attribute.name)} attributes`);
    if (/^on/i.test(name)) return this.drop('event handler attributes such as onload');
    if (TEXT_ATTRIBUTES.has(name)) return [name, value];
    if (NAME_ATTRIBUTES.has(name)) return isSafeName(value) ? [name, value] : this.drop(`unusual ${name} values`);
    if (name === 'style') {
      const declarations = sanitizeDeclarations(value);
      for (const property of declarations.dropped) this.removed.add(`CSS ${shortName(property)} declarations`);
      return declarations.css ? ['style', declarations.css] : null;
    }
    if (!VALUE_ATTRIBUTES.has(name)) return this.drop(`${shortName(name)} attributes`);
    return isSafeCssValue(value) ? [name, value] : this.drop(`${name} values that load or run something`);
  }

  /** Keeps href (written as the SVG 2 href) when it points into the file, or on <image>, at a raster data: URL. */
  private reference(value: string, elementName: string): [string, string] | null {
    if (isLocalReference(value)) return ['href', value.trim()];
    if (elementName === 'image' && isRasterDataUrl(value)) return ['href', value.trim().replace(/\s+/g, '')];
    return this.drop('links to other files or addresses');
  }

  private drop(what: string): null {
    this.removed.add(what);
    return null;
  }
}

function hasSize(root: Element): boolean {
  const present = (name: string) => root.hasAttribute(name) && isSafeCssValue(root.getAttribute(name) ?? '');
  return present('viewBox') || (present('width') && present('height'));
}

/**
 * Rebuilds an uploaded SVG from an allowlist, so the result contains no script,
 * event handler, foreignObject, entity, external reference or resource load.
 * Throws SvgRejectedError when the file cannot be read or nothing drawable
 * remains.
 */
export function sanitizeSvg(bytes: Buffer): SanitizedSvg {
  const root = parse(decodeSource(bytes));
  const rebuilder = new SvgRebuilder(root.namespaceURI);
  const svg = rebuilder.element(root, 0);

  if (rebuilder.drawingElements === 0) {
    throw new SvgRejectedError('The SVG has nothing left to draw once unsafe content is removed.');
  }
  if (!hasSize(root)) {
    throw new SvgRejectedError('The SVG needs a viewBox, or a width and a height, so it can be scaled to fit.');
  }
  return { svg: Buffer.from(svg, 'utf8'), removed: [...rebuilder.removed].slice(0, MAX_REMOVED_ENTRIES) };
}
