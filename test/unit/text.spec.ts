import { cleanText, textProblem } from '../../src/common/text';

describe('cleanText: the rule for every text a client sends', () => {
  it('trims and NFC-normalizes', () => {
    const decomposed = ` ${'Huyện Đức Linh'.normalize('NFD')} \n`;
    expect(decomposed.length).toBeGreaterThan(' Huyện Đức Linh \n'.length);
    expect(cleanText(decomposed)).toEqual({ ok: true, value: 'Huyện Đức Linh'.normalize('NFC') });
    expect(cleanText('  Đức Linh\t')).toEqual({ ok: true, value: 'Đức Linh' });
  });

  it('keeps tabs and line feeds inside, and turns CRLF and a lone CR into LF', () => {
    expect(cleanText('a\tb\r\nc\rd\ne')).toEqual({ ok: true, value: 'a\tb\nc\nd\ne' });
  });

  it.each([
    ['\u0000', 'U+0000'],
    ['\u0001', 'U+0001'],
    ['\u0008', 'U+0008'],
    ['\u000b', 'U+000B'],
    ['\u000c', 'U+000C'],
    ['\u001b', 'U+001B'],
    ['\u001f', 'U+001F'],
  ])('refuses a control character %j', (ch, code) => {
    expect(cleanText(`ab${ch}c`)).toEqual({
      ok: false,
      reason: `must not contain control characters (found ${code} at position 2)`,
    });
  });

  it('refuses an unpaired surrogate, keeps a paired one', () => {
    expect(textProblem('a\ud800b')).toBe('must be well-formed Unicode (found an unpaired surrogate)');
    expect(textProblem('a\udc00')).toBe('must be well-formed Unicode (found an unpaired surrogate)');
    expect(cleanText('🎖️ mô hình')).toEqual({ ok: true, value: '🎖️ mô hình' });
  });

  it('keeps a secret verbatim but still refuses a NUL in it', () => {
    expect(cleanText('  pass\u0065\u0301 ', { verbatim: true })).toEqual({
      ok: true,
      value: '  passe\u0301 ',
    });
    expect(cleanText('pa\u0000ss', { verbatim: true }).ok).toBe(false);
  });

  it('accepts DEL and C1 characters (PostgreSQL stores them; only C0 is refused)', () => {
    expect(cleanText('a\u007fb\u0085c')).toEqual({ ok: true, value: 'a\u007fb\u0085c' });
  });
});
