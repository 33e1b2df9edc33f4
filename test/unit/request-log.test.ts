import { describe, expect, it } from 'vitest';
import { requestLogLine } from '../../src/host/index.js';

const entry = { method: 'GET', path: '/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups', status: 200, ms: 12.4, requestId: '0f8fad5b-d9cb-469f-a165-70867728950e' };

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
