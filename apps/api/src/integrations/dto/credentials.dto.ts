import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString } from 'class-validator';

function StringCredential(description?: string): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsString()(target, key);
    ApiPropertyOptional({ type: String, description })(target, key);
  };
}

function BooleanCredential(description?: string): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsBoolean()(target, key);
    ApiPropertyOptional({ type: Boolean, description })(target, key);
  };
}

function ObjectCredential(description?: string): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsObject()(target, key);
    ApiPropertyOptional({ type: 'object', additionalProperties: true, description })(target, key);
  };
}

/**
 * Provider credentials: every property of the reference `CredentialsDto` plus every credential key
 * of the provider catalog (`providers.json`). Values keep their wire types: `port` is a string; the TLS
 * / HMAC / token flags are booleans; `tlsOptions` is an object; everything else is a string. Unknown
 * keys are refused (422 on `credentials.<key>`).
 */
export class CredentialsDto {
  @StringCredential() apiKey?: string;
  @StringCredential() user?: string;
  @StringCredential() secretKey?: string;
  @StringCredential() domain?: string;
  @StringCredential() password?: string;
  @StringCredential() host?: string;
  @StringCredential('SMTP port, as a string (e.g. "587").') port?: string;
  @BooleanCredential() secure?: boolean;
  @StringCredential() region?: string;
  @StringCredential() accountSid?: string;
  @StringCredential() messageProfileId?: string;
  @StringCredential() token?: string;
  @StringCredential() from?: string;
  @StringCredential() senderName?: string;
  @StringCredential() projectName?: string;
  @StringCredential() applicationId?: string;
  @StringCredential() clientId?: string;
  @BooleanCredential() requireTls?: boolean;
  @BooleanCredential() ignoreTls?: boolean;
  @ObjectCredential() tlsOptions?: Record<string, unknown>;
  @StringCredential() baseUrl?: string;
  @StringCredential() webhookUrl?: string;
  @StringCredential() redirectUrl?: string;
  @BooleanCredential() hmac?: boolean;
  @StringCredential() serviceAccount?: string;
  @StringCredential() ipPoolName?: string;
  @StringCredential() apiKeyRequestHeader?: string;
  @StringCredential() secretKeyRequestHeader?: string;
  @StringCredential() idPath?: string;
  @StringCredential() datePath?: string;
  @StringCredential() apiToken?: string;
  @BooleanCredential() authenticateByToken?: boolean;
  @StringCredential() authenticationTokenKey?: string;
  @StringCredential() instanceId?: string;
  @StringCredential() alertUid?: string;
  @StringCredential() title?: string;
  @StringCredential() imageUrl?: string;
  @StringCredential() state?: string;
  @StringCredential() externalLink?: string;
  @StringCredential() channelId?: string;
  @StringCredential() phoneNumberIdentification?: string;
  @StringCredential() accessKey?: string;
  @StringCredential() appSid?: string;
  @StringCredential() senderId?: string;
  @StringCredential() tenantId?: string;
  @StringCredential() AppIOBaseUrl?: string;
  @StringCredential() signingSecret?: string;
  @StringCredential() outboundIntegrationId?: string;
  @StringCredential() outboundConnectedAt?: string;
  @StringCredential(
    "ISO timestamp marking Layer-2 What's next completion (Connected badge + guide hide). WhatsApp Business: stamped on post-connect Access Token rotation or manual confirm.",
  )
  whatsNextCompletedAt?: string;
  @BooleanCredential() useFromAddressOverride?: boolean;
  @StringCredential() fromAddressOverride?: string;
  @StringCredential(
    'Agent default shared inbox slug prefix used in `{emailSlugPrefix}-{agentId}@<shared-domain>`. Only meaningful on the NovuAgent email integration.',
  )
  emailSlugPrefix?: string;
  @StringCredential('Claude Managed Agents: ID of the Anthropic environment tied to this integration.') externalEnvironmentId?: string;
  @StringCredential('Claude Managed Agents: ID of the Anthropic vault (`vlt_…`) tied to this integration.') externalVaultId?: string;
  @StringCredential('Claude Managed Agents: id of the Anthropic workspace used in console deep links.') externalWorkspaceId?: string;

  // Keys of the provider catalog that the reference DTO does not list.
  @StringCredential() apiURL?: string;
  @StringCredential() apiVersion?: string;
  @StringCredential() appID?: string;
  @StringCredential() contentType?: string;
  @StringCredential() servicePlanId?: string;
}
