/**
 * A caller's text (a `$batch` item's id, say) as a log line may show it: quoted, with every character that
 * could end, forge or restyle a line escaped as `\u{…}`: controls (C0, DEL, C1 with NEL, the ESC that starts
 * ANSI sequences), format characters (bidirectional marks and overrides, zero-width ones), line and paragraph
 * separators, spaces other than U+0020, lone surrogates, private-use and unassigned code points. The
 * backslash and the quote are escaped too, so no text can pass for an escape or close the quotes.
 */
const UNSAFE = /(?! )[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Z}]|[\\"]/gu;

/** Longer text is cut: a log line stays short. */
const MAX_CHARS = 200;

export function logText(text: string): string {
  const cut = text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}...` : text;
  const escaped = cut.replace(UNSAFE, (c) => (c === '\\' || c === '"' ? `\\${c}` : `\\u{${c.codePointAt(0)?.toString(16) ?? ''}}`));
  return `"${escaped}"`;
}
