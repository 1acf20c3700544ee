/**
 * The rule for every piece of text a client sends (body, query string, path, imported CSV cell):
 * line ends become LF (CRLF and a lone CR), then it must hold no C0 control character other than tab and
 * line feed (a NUL is refused by PostgreSQL, and used to wedge a nomination inside its workflow), and no
 * unpaired UTF-16 surrogate (which PostgreSQL's jsonb refuses); then it is NFC-normalized (so "Đức"
 * typed decomposed and precomposed is one name) and trimmed.
 */

// eslint-disable-next-line no-control-regex
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type TextResult = { ok: true; value: string } | { ok: false; reason: string };

/** Why a string may not be stored, or undefined when it may. */
export function textProblem(value: string): string | undefined {
  const bad = FORBIDDEN_CONTROL.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `must not contain control characters (found U+${code} at position ${bad.index})`;
  }
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (found an unpaired surrogate)';
  return undefined;
}

/** Line ends as LF; then checked; then, unless `verbatim` (a password), NFC-normalized and trimmed. */
export function cleanText(value: string, options: { verbatim?: boolean } = {}): TextResult {
  const lf = value.replace(/\r\n?/g, '\n');
  const reason = textProblem(options.verbatim ? value : lf);
  if (reason) return { ok: false, reason };
  return { ok: true, value: options.verbatim ? value : lf.normalize('NFC').trim() };
}
