import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config';
import { API_KEY_SECURITY_SCHEME, BEARER_SECURITY_SCHEME } from '../auth/auth.decorator';
import { serviceVersion } from '../version';

export const SWAGGER_UI_PATH = 'api';
export const SWAGGER_JSON_PATH = 'api-json';

/** The OpenAPI document of the service (the same request/response fields as Novu's). */
export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const localHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const builder = new DocumentBuilder()
    .setTitle('Integrations API')
    .setDescription(
      'Self-hostable, Novu-compatible `/v1/integrations` API. Authenticate with `Authorization: ApiKey <secret key>` ' +
        '(an API key of one environment) or `Authorization: Bearer <session token>` (a dashboard user; pick the ' +
        'environment with the `Novu-Environment-Id` header). Every successful response is `{"data": …}`.',
    )
    .setVersion(serviceVersion())
    .addServer('/', 'This server')
    .addServer(`http://${localHost}:${config.port}`, 'Local development')
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description:
          'API key authentication. Allowed headers-- "Authorization: ApiKey <novu_secret_key>". ' +
          'In the Authorize dialog enter the whole value, including the scheme: `ApiKey <your secret key>`.',
        'x-speakeasy-example': 'YOUR_SECRET_KEY_HERE',
      },
      API_KEY_SECURITY_SCHEME,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'Session token of a dashboard user (enter the token only). The environment comes from the Novu-Environment-Id header, else the token.',
      },
      BEARER_SECURITY_SCHEME,
    )
    .addSecurityRequirements(API_KEY_SECURITY_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, builder);
}

/** Serves the UI at `/api` and the document at `/api-json` (needs @fastify/static). */
export function setupSwagger(app: INestApplication, config: AppConfig): OpenAPIObject {
  const document = buildOpenApiDocument(app, config);
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, {
    jsonDocumentUrl: SWAGGER_JSON_PATH,
    customSiteTitle: 'Integrations API',
    swaggerOptions: { persistAuthorization: true },
  });
  return document;
}
