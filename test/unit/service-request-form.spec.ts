import { randomBytes } from 'node:crypto';

import { readRequestForm, validateRequestForm } from '../../libs/service-requests/src/request-form';
import { checkRequestFiles, detectRequestFileType, MAX_REQUEST_FILE_BYTES } from '../../libs/service-requests/src/upload-files';
import { minimalPdf } from '../support/attachments';
import { pngImage } from '../support/images';
import { heicBytes, jpegBytes } from '../support/service-requests';

const TODAY = '2026-12-04';

function ftyp(major: string, compatible: string[]): Buffer {
  const brands = Buffer.from(compatible.join(''), 'latin1');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(16 + brands.length);
  return Buffer.concat([size, Buffer.from(`ftyp${major}`, 'latin1'), Buffer.alloc(4), brands, randomBytes(64)]);
}

function validForm(changes: Record<string, string> = {}) {
  return readRequestForm({
    submission_key: '7b0f7c1e-3f5a-4c1b-9a53-2a1f0e9d8c7b',
    site_id: '0c5b8f0e-8a4b-4d3c-9e2f-1a2b3c4d5e6f',
    category: 'heating',
    urgency: 'normal',
    description: 'The boiler stops every morning.',
    ...changes,
  });
}

describe('service request file types', () => {
  it.each([
    ['JPEG', jpegBytes(), 'image/jpeg'],
    ['PNG', pngImage(2, 2), 'image/png'],
    ['HEIC', heicBytes(), 'image/heic'],
    ['HEIF with an HEVC brand', ftyp('mif1', ['mif1', 'heic']), 'image/heic'],
    ['PDF', minimalPdf('x'), 'application/pdf'],
  ])('accepts %s', (_name, bytes, type) => {
    expect(detectRequestFileType(bytes)).toBe(type);
  });

  it.each([
    ['AVIF', ftyp('avif', ['mif1', 'avif'])],
    ['GIF', Buffer.from('GIF89a......')],
    ['PDF without its end marker', Buffer.from('%PDF-1.7\n1 0 obj\n')],
    ['HTML', Buffer.from('<html><body>hi</body></html>')],
  ])('rejects %s', (_name, bytes) => {
    expect(detectRequestFileType(bytes)).toBeNull();
  });

  it('names a renamed file and its content', () => {
    const result = checkRequestFiles([{ name: 'report.pdf', bytes: Buffer.from('PK\u0003\u0004rest of a zip') }], 'en-US');
    expect(result).toEqual({
      problem: expect.stringContaining('report.pdf is named as a PDF, but its content is a ZIP archive, such as a Word or Excel file.'),
    });
  });

  it('rejects oversize, empty and too many files', () => {
    const oversize = checkRequestFiles([{ name: 'big.jpg', bytes: jpegBytes(MAX_REQUEST_FILE_BYTES + 1) }], 'en-US');
    expect(oversize).toEqual({ problem: expect.stringContaining('big.jpg is larger than 10 MB.') });
    const empty = checkRequestFiles([{ name: 'empty.png', bytes: Buffer.alloc(0) }], 'en-US');
    expect(empty).toEqual({ problem: expect.stringContaining('empty.png is empty.') });
    const many = checkRequestFiles(Array.from({ length: 6 }, (_, index) => ({ name: `${index}.png`, bytes: pngImage(1, 1) })), 'en-US');
    expect(many).toEqual({ problem: 'Attach at most 5 files.' });
  });

  it('rejects files over the total', () => {
    const files = Array.from({ length: 3 }, (_, index) => ({ name: `${index}.jpg`, bytes: jpegBytes(9 * 1024 * 1024) }));
    expect(checkRequestFiles(files, 'en-US')).toEqual({ problem: expect.stringContaining('The files add up to more than 25 MB.') });
  });
});

describe('service request form fields', () => {
  it('accepts a complete form', () => {
    const result = validateRequestForm(validForm({ preferred_date_1: '2026-12-10', preferred_date_2: '2026-12-10', preferred_date_3: TODAY }), TODAY);
    expect(result).toEqual({
      fields: expect.objectContaining({ categoryLabel: 'Heating', workType: 'repair', equipmentId: null, preferredDates: [TODAY, '2026-12-10'] }),
    });
  });

  it.each([
    ['missing site', { site_id: '' }, 'site_id', 'Choose the site that needs service.'],
    ['malformed site', { site_id: "1' OR '1'='1" }, 'site_id', 'Choose one of the listed sites.'],
    ['unknown category', { category: 'plumbing' }, 'category', 'Choose a category.'],
    ['blank description', { description: '   ' }, 'description', 'Describe the problem or the work you need.'],
    ['long description', { description: 'x'.repeat(4001) }, 'description', 'Write at most 4000 characters; this has 4001.'],
    ['control characters', { description: 'Broken \u0000 valve here' }, 'description', 'Remove the control characters from the text.'],
    ['past date', { preferred_date_1: '2026-12-03' }, 'preferred_dates', '2026-12-03 is in the past; choose today or a later date.'],
    ['far date', { preferred_date_1: '2027-12-04' }, 'preferred_dates', '2027-12-04 is more than 180 days ahead.'],
    ['impossible date', { preferred_date_1: '2026-02-30' }, 'preferred_dates', '2026-02-30 is not a date; use the format YYYY-MM-DD.'],
    ['missing key', { submission_key: '' }, 'submission_key', 'This form has expired. Reload the page and submit it again.'],
  ])('rejects %s', (_case, changes, fieldName, problem) => {
    const result = validateRequestForm(validForm(changes), TODAY);
    expect(result).toEqual({ errors: expect.objectContaining({ [fieldName]: problem }) });
  });
});
