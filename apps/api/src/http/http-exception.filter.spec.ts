import { BadRequestException, ConflictException, HttpException, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { buildErrorBody } from './error-body';
import { describeHttpException } from './http-exception.filter';
import { RequestValidationException } from './request-validation';

function fastifyError(code: string, statusCode: number): HttpException {
  const cause = Object.assign(new Error('fastify text'), { name: 'FastifyError', code, statusCode });
  return new HttpException(cause.message, statusCode, { cause });
}

describe('describeHttpException', () => {
  it('keeps status and message of ordinary HttpExceptions', () => {
    expect(describeHttpException(new UnauthorizedException('API Key not found'))).toEqual({ status: 401, message: 'API Key not found' });
    expect(describeHttpException(new ConflictException('Request with key "k" is currently being processed'))).toEqual({
      status: 409,
      message: 'Request with key "k" is currently being processed',
    });
    expect(describeHttpException(new NotFoundException('Cannot GET /nope'))).toEqual({ status: 404, message: 'Cannot GET /nope' });
  });

  it('joins array messages and falls back to the reason phrase', () => {
    expect(describeHttpException(new BadRequestException(['a', 'b']))).toEqual({ status: 400, message: 'a; b' });
    expect(describeHttpException(new HttpException({ foo: 1 }, 418))).toEqual({ status: 418, message: "I'm a Teapot" });
  });

  it('carries the errors map of a validation exception', () => {
    const errors = { providerId: { messages: ['providerId must be a string'], value: 1 } };
    expect(describeHttpException(new RequestValidationException(errors))).toEqual({ status: 422, message: 'Validation Error', errors });
  });

  it.each([
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 400],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 400],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 413],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 415],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 400, 413],
  ])('maps the Fastify body error %s (adapter status %d) to %d', (code, given, expected) => {
    expect(describeHttpException(fastifyError(code, given)).status).toBe(expected);
  });
});

describe('buildErrorBody', () => {
  it('has the spec shape with the reason phrase as error', () => {
    const now = new Date('2025-01-02T03:04:05.006Z');
    expect(buildErrorBody(409, '/v1/integrations', 'Integration with identifier already exists', {}, now)).toEqual({
      statusCode: 409,
      timestamp: '2025-01-02T03:04:05.006Z',
      path: '/v1/integrations',
      message: 'Integration with identifier already exists',
      error: 'Conflict',
    });
  });
});
