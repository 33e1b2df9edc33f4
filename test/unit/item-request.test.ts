/**
 * A `$batch` item reaches its function as a `FunctionRequest` the batch builds (host/invoke.ts, `invokeItem`),
 * not the platform's `Request`: its headers must be accepted, refused and read exactly as `Request` does.
 * Each case is checked against the platform's own `Request`.
 */
import { describe, expect, it } from 'vitest';
import { invokeItem, UnbuildableRequest, type FunctionHandler, RouteTable } from '../../src/host/index.js';

const URL_ = 'http://localhost/beta/x?$top=2&$top=3&a=';

async function viaItem(headers: Record<string, string>, body?: Buffer) {
  let seen: { get: string | null; has: boolean; query: [string, string][]; method: string; url: string; body: string } | undefined;
  const serve: FunctionHandler = async (req) => {
    seen = {
      get: req.headers.get('X-Probe'),
      has: req.headers.has('x-probe'),
      query: [...req.query.entries()],
      method: req.method,
      url: req.url,
      body: Buffer.from(await req.arrayBuffer()).toString('utf8'),
    };
    return { status: 204 };
  };
  const table = new RouteTable([{ name: 'x', route: 'beta/x', methods: ['POST'], handler: serve, serve }], '');
  try {
    await invokeItem(table.match('POST', '/beta/x')!, { method: 'POST', url: URL_, headers, body }, () => undefined);
    return seen!;
  } catch (error) {
    if (error instanceof UnbuildableRequest) return 'refused';
    throw error;
  }
}

function viaPlatform(headers: Record<string, string>): { get: string | null; has: boolean } | 'refused' {
  try {
    const request = new Request(URL_, { method: 'POST', headers });
    return { get: request.headers.get('X-Probe'), has: request.headers.has('x-probe') };
  } catch {
    return 'refused';
  }
}

const cases: [string, Record<string, string>][] = [
  ['a plain value', { 'x-probe': 'value' }],
  ['a value with spaces inside and around', { 'x-probe': ' \t a  b \t ' }],
  ['an empty value', { 'x-probe': '' }],
  ['only whitespace', { 'x-probe': ' \t ' }],
  ['a trailing CR LF, stripped', { 'x-probe': 'v\r\n' }],
  ['a CR LF inside', { 'x-probe': 'a\r\nb' }],
  ['a NUL inside', { 'x-probe': 'a\u0000b' }],
  ['a control character other than those', { 'x-probe': 'a\u0001b' }],
  ['DEL and Latin-1 bytes', { 'x-probe': 'a\u007f\u00e9\u00ff' }],
  ['a character beyond Latin-1', { 'x-probe': 'caf\u0113' }],
  ['an emoji', { 'x-probe': '\u{1F600}' }],
  ['a name with a space', { 'x probe': 'v' }],
  ['a name with a colon', { 'x:probe': 'v' }],
  ['an empty name', { '': 'v' }],
  ['a name with token punctuation', { "x-probe!#$%&'*+.^_`|~": 'v' }],
  ['a name beyond Latin-1', { 'x-pröbe': 'v' }],
];

describe('a $batch item request', () => {
  it.each(cases)('takes %s as the platform Request does', async (_what, headers) => {
    const item = await viaItem(headers);
    const platform = viaPlatform(headers);
    if (platform === 'refused') expect(item).toBe('refused');
    else expect(item === 'refused' ? item : { get: item.get, has: item.has }).toEqual(platform);
  });

  it('gives the merged query, the method, the URL and the body once, as the host would', async () => {
    const item = await viaItem({}, Buffer.from('{"a":1}'));
    expect(item).toMatchObject({
      query: [
        ['$top', '2,3'],
        ['a', ''],
      ],
      method: 'POST',
      url: URL_,
      body: '{"a":1}',
    });
  });
});
