import { NotFoundException } from '@nestjs/common';
import { boundedPath, MAX_ERROR_PATH_LENGTH, pathOfRawRequest } from './framework-errors';
import { routeNotFoundMessage } from './http-exception.filter';

describe('boundedPath', () => {
  it.each([
    ['/v1/integrations?token=secret', '/v1/integrations'],
    ['/v1/integrations#frag', '/v1/integrations'],
    ['/v1/integrations', '/v1/integrations'],
    ['', ''],
    [undefined, ''],
  ])('%p → %p', (url, path) => {
    expect(boundedPath(url)).toBe(path);
  });

  it(`cuts a long path to ${MAX_ERROR_PATH_LENGTH} characters`, () => {
    expect(boundedPath(`/${'a'.repeat(20_000)}`)).toHaveLength(MAX_ERROR_PATH_LENGTH);
  });
});

describe('pathOfRawRequest', () => {
  it('reads the path of the request line, without the query string', () => {
    expect(pathOfRawRequest(Buffer.from('GET /v1/integrations?x=1 HTTP/1.1\r\nHost: a\r\n\r\n'))).toBe('/v1/integrations');
  });

  it.each([
    ['no buffer', undefined],
    ['an empty buffer', Buffer.alloc(0)],
    ['not a request line', Buffer.from('garbage\r\n\r\n')],
    ['an absolute-form target', Buffer.from('GET http://a/b HTTP/1.1\r\n')],
    ['control characters', Buffer.from('GET /a\u0001b HTTP/1.1\r\n')],
    ['a JSON-ified buffer', { type: 'Buffer', data: [71, 69, 84] }],
  ])('is empty for %s', (_label, raw) => {
    expect(pathOfRawRequest(raw)).toBe('');
  });

  it('looks only at the first bytes of a huge packet', () => {
    const raw = Buffer.from(`GET /${'p'.repeat(1_000_000)} HTTP/1.1\r\n`);
    expect(pathOfRawRequest(raw)).toBe(`/${'p'.repeat(MAX_ERROR_PATH_LENGTH - 1)}`);
  });
});

describe('routeNotFoundMessage', () => {
  const request = { method: 'GET', url: '/v1/nope?apiKey=secret' };

  it("rewrites Nest's unknown-route text without the query string", () => {
    expect(routeNotFoundMessage(new NotFoundException('Cannot GET /v1/nope?apiKey=secret'), request)).toBe('Cannot GET /v1/nope');
  });

  it('leaves every other 404 alone', () => {
    expect(routeNotFoundMessage(new NotFoundException('Integration with id x not found'), request)).toBeUndefined();
    expect(routeNotFoundMessage(new NotFoundException('Cannot GET /v1/nope?apiKey=secret'), undefined)).toBeUndefined();
  });
});
