import { Actor } from '@app/integrations';
import type { FastifyRequest } from 'fastify';

/** A request after `ApiAuthGuard` ran: the resolved caller sits on `actor`. */
export type AuthenticatedRequest = FastifyRequest & { actor?: Actor };
