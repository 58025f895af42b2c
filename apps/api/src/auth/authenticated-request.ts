import { Actor } from '@app/integrations';
import type { FastifyRequest } from 'fastify';

/** A request after `ApiAuthGuard` ran: the resolved caller sits on `actor`, an API key's id on `apiKeyId`. */
export type AuthenticatedRequest = FastifyRequest & { actor?: Actor; apiKeyId?: string };
