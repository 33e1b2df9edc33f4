import { describe, expect, it } from 'vitest';
import { requestLogLine } from '../../src/host/index.js';
import { logText } from '../../src/lib/log-text.js';

const entry = {
  method: 'GET',
  path: '/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups',
  status: 200,
  ms: 12.4,
  requestId: '0f8fad5b-d9cb-469f-a165-70867728950e',
};

describe('requestLogLine', () => {
  it('is method, path, status, whole milliseconds and request-id on one line', () => {
    expect(requestLogLine(entry)).toBe(
      'GET /beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups 200 12ms request-id=0f8fad5b-d9cb-469f-a165-70867728950e',
    );
    expect(requestLogLine({ ...entry, method: 'patch', status: 204, ms: 0.4 })).toMatch(/^PATCH \S+ 204 0ms /);
  });

  it('never shows the query string or fragment, where skiptokens, filter values and stray secrets travel', () => {
    const line = requestLogLine({ ...entry, path: `${entry.path}?$skiptoken=AQID-secret&access_token=abc#frag` });
    expect(line).toContain(`${entry.path} 200`);
    expect(line).not.toMatch(/skiptoken|secret|access_token|abc|frag|\?/);
  });

  it('takes a whole URL and shows only its path: no origin, no credentials in it', () => {
    const line = requestLogLine({ ...entry, path: `https://user:pa55@example.com:7443${entry.path}?$top=5` });
    expect(line.split(' ')[1]).toBe(entry.path);
    expect(line).not.toMatch(/pa55|example\.com|user/);
    expect(requestLogLine({ ...entry, path: 'http://localhost:7071' }).split(' ')[1]).toBe('/');
    expect(requestLogLine({ ...entry, path: '' }).split(' ')[1]).toBe('/');
  });

  it('cannot be broken or forged by what the path carries', () => {
    const line = requestLogLine({ ...entry, path: '/beta/x\r\nGET /beta/forged 200 1ms request-id=fake é\u0000' });
    expect(line).not.toMatch(/[\r\n ]forged/);
    expect(line.split(' ')).toHaveLength(5);
    expect(line).toContain('/beta/x%0D%0AGET%20/beta/forged%20200%201ms%20request-id=fake%20%C3%A9%00 ');
    expect(requestLogLine({ ...entry, path: `/beta/${'a'.repeat(5000)}` }).length).toBeLessThan(700);
  });

  it('shows - for a missing or odd request-id and ? for an odd method or duration', () => {
    expect(requestLogLine({ ...entry, requestId: undefined })).toMatch(/ request-id=-$/);
    expect(requestLogLine({ ...entry, requestId: 'a b\nc' })).toMatch(/ request-id=-$/);
    expect(requestLogLine({ ...entry, method: 'GE T', ms: Number.NaN })).toMatch(/^\? \S+ 200 \?ms /);
  });
});

describe("logText (a caller's text inside a log line)", () => {
  it('escapes every control, format, separator and odd space character, and the backslash and quote', () => {
    const cases: [string, string][] = [
      ['\u0000\u0007\t\n\u000b\u000c\r\u001b', '\\u{0}\\u{7}\\u{9}\\u{a}\\u{b}\\u{c}\\u{d}\\u{1b}'],
      ['\u007f\u0080\u0085\u009b', '\\u{7f}\\u{80}\\u{85}\\u{9b}'],
      ['\u001b[31mred\u001b[0m', '\\u{1b}[31mred\\u{1b}[0m'],
      [
        '\u200b\u200e\u200f\u202a\u202e\u2066\u2069\ufeff\u00ad',
        '\\u{200b}\\u{200e}\\u{200f}\\u{202a}\\u{202e}\\u{2066}\\u{2069}\\u{feff}\\u{ad}',
      ],
      ['\u2028\u2029\u00a0\u3000', '\\u{2028}\\u{2029}\\u{a0}\\u{3000}'],
      ['\ud800 \ue000 \u{10ffff}', '\\u{d800} \\u{e000} \\u{10ffff}'],
      ['a\\u{b}"', 'a\\\\u{b}\\"'],
      ['item 1: é ü 日本 ✓', 'item 1: é ü 日本 ✓'],
    ];
    for (const [text, shown] of cases) expect(logText(text), JSON.stringify(text)).toBe(`"${shown}"`);
    expect(logText('x'.repeat(5000)).length).toBeLessThan(210);
  });
});
