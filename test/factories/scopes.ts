import { EnvironmentScope } from '../../libs/integrations/src/domain/integration';

/** The tenant most unit tests run in: one organization with a development and a production environment. */
export const ORG = 'org-1';
export const DEV = 'env-dev';
export const PROD = 'env-prod';
/** An environment that exists, but in another organization. */
export const OTHER_ORG_ENV = 'env-foreign';

export const DEV_SCOPE: EnvironmentScope = { organizationId: ORG, environmentId: DEV };
