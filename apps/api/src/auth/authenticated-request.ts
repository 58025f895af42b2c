import { Actor } from '@app/integrations';
import type { FastifyRequest } from 'fastify';

/**
 * A request after `ApiAuthGuard` ran: the resolved caller sits on `actor`, and for an API-key
 * caller the key's id on `apiKeyId` (for the access line; the use cases never need it).
 */
export type AuthenticatedRequest = FastifyRequest & { actor?: Actor; apiKeyId?: string };
