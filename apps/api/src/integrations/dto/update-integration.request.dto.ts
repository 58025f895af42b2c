import { PickType } from '@nestjs/swagger';
import { CreateIntegrationRequestDto } from './create-integration.request.dto';

/**
 * Body of `PUT /v1/integrations/{integrationId}`: the create fields that can change, with the
 * same validation. `providerId`, `channel` and `kind` are fixed at creation (422 if sent).
 */
export class UpdateIntegrationRequestDto extends PickType(CreateIntegrationRequestDto, [
  'name',
  'identifier',
  '_environmentId',
  'active',
  'credentials',
  'check',
  'conditions',
  'configurations',
] as const) {}
