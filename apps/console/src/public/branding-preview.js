// Live preview for Settings → Branding. The page works without this file:
// it reveals the colour pickers and makes the preview panel follow the form
// as the user types. The CSP allows no inline script or style attribute,
// so colours are set as custom properties through the CSSOM.
'use strict';

(function () {
  const form = document.querySelector('form.branding-form');
  const preview = document.getElementById('brand-preview');
  if (!form || !preview) return;

  const logo = document.getElementById('preview-logo');
  const name = document.getElementById('preview-name');
  const tagline = document.getElementById('preview-tagline');
  const note = document.getElementById('preview-note');
  const fileInput = document.getElementById('logo');
  const removeLogo = document.getElementById('remove_logo');
  const savedLogo = logo.getAttribute('src');
  let uploadedLogo = null;

  /** Returns #rrggbb in lower case for #rgb or #rrggbb input, or null. */
  function normalizeColor(value) {
    const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
    if (!match) return null;
    const digits = match[1].toLowerCase();
    return '#' + (digits.length === 3 ? digits.replace(/./g, '$&$&') : digits);
  }

  // WCAG 2.x relative luminance and contrast ratio, as libs/branding/src/contrast.ts computes them.
  function luminance(hex) {
    const [red, green, blue] = [1, 3, 5].map(function (start) {
      const value = parseInt(hex.slice(start, start + 2), 16) / 255;
      return value <= 0.04045 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
  }

  function contrast(first, second) {
    const values = [luminance(first), luminance(second)].sort(function (a, b) { return b - a; });
    return (values[0] + 0.05) / (values[1] + 0.05);
  }

  function ratioText(ratio) {
    return (Math.floor(ratio * 100) / 100).toFixed(2) + ':1';
  }

  function fieldValue(fieldName) {
    const field = form.elements.namedItem(fieldName);
    return field ? field.value : '';
  }

  function showLogo() {
    const source = uploadedLogo || (removeLogo && removeLogo.checked ? null : savedLogo);
    if (source) logo.setAttribute('src', source);
    logo.hidden = !source;
    name.hidden = Boolean(source);
  }

  function update() {
    const primary = normalizeColor(fieldValue('primary_color'));
    const accent = normalizeColor(fieldValue('accent_color'));
    if (primary) preview.style.setProperty('--preview-primary', primary);
    if (accent) preview.style.setProperty('--preview-accent', accent);

    const companyName = fieldValue('company_name').trim();
    name.textContent = companyName;
    logo.setAttribute('alt', companyName);
    tagline.textContent = fieldValue('tagline').trim();
    showLogo();

    const ratios = [];
    if (primary) ratios.push('white on primary ' + ratioText(contrast('#ffffff', primary)));
    if (accent) ratios.push('white on accent ' + ratioText(contrast('#ffffff', accent)));
    note.textContent =
      'Follows the form as you type; nothing is saved until you press Save branding.' +
      (ratios.length > 0 ? ' Contrast: ' + ratios.join(', ') + ' (4.50:1 or more reads well).' : '');
  }

  // Each picker mirrors its text field; the text field is what the form submits.
  form.querySelectorAll('input[type="color"][data-color-for]').forEach(function (picker) {
    const text = document.getElementById(picker.getAttribute('data-color-for'));
    const initial = normalizeColor(text.value);
    if (initial) picker.value = initial;
    picker.hidden = false;
    picker.addEventListener('input', function () {
      text.value = picker.value;
      update();
    });
    text.addEventListener('input', function () {
      const color = normalizeColor(text.value);
      if (color) picker.value = color;
    });
  });

  if (fileInput) {
    fileInput.addEventListener('change', function () {
      const file = fileInput.files && fileInput.files[0];
      const maxBytes = Number(fileInput.getAttribute('data-max-bytes'));
      uploadedLogo = null;
      // The server checks the file again; this only avoids previewing what it will reject for size.
      if (!file || !/^image\//.test(file.type) || (maxBytes && file.size > maxBytes)) return update();
      const reader = new FileReader();
      reader.addEventListener('load', function () {
        uploadedLogo = typeof reader.result === 'string' ? reader.result : null;
        update();
      });
      reader.readAsDataURL(file);
    });
  }

  form.addEventListener('input', update);
  form.addEventListener('change', update);
  update();
})();
