import { cleanAttachmentName } from '../../libs/attachments/src/attachment-file';

describe('cleanAttachmentName', () => {
  it.each([
    ['evil\u202egnp.exe', 'evilgnp.exe'],
    ['report\u202dtxt.pdf', 'reporttxt.pdf'],
    ['a\u200eb\u200fc.pdf', 'abc.pdf'],
    ['\u2066isolate\u2069 \u2067rtl\u2069 \u2068first\u2069.pdf', 'isolate rtl first.pdf'],
    ['arabic\u061cmark.pdf', 'arabicmark.pdf'],
    ['zero\u200bwidth\u200c\u200djoin\u2060.pdf', 'zerowidthjoin.pdf'],
    ['\ufeffbom.pdf', 'bom.pdf'],
    ['soft\u00adhyphen.pdf', 'softhyphen.pdf'],
    ['\u202a\u202b\u202c.pdf', '.pdf'],
  ])('drops format characters from %j', (original, cleaned) => {
    expect(cleanAttachmentName(original)).toBe(cleaned);
  });

  it('keeps letters of other scripts', () => {
    expect(cleanAttachmentName('تقرير – Prüfbericht 報告.pdf')).toBe('تقرير – Prüfbericht 報告.pdf');
  });

  it('becomes attachment.pdf when only format characters remain', () => {
    expect(cleanAttachmentName('\u202e\u200b\u2066')).toBe('attachment.pdf');
  });

  it('keeps the last path segment without control characters', () => {
    expect(cleanAttachmentName('C:\\Users\\pat\\sig\u0007ned.pdf')).toBe('signed.pdf');
  });
});
