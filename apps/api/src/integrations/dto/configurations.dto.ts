import { INBOX_COUNTS, InboxCount } from './enums';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';

/** Additional configuration of an integration. Unknown keys are refused (422 on `configurations.<key>`). */
export class ConfigurationsDto {
  @ApiPropertyOptional({ type: Boolean, description: 'Whether inbound webhooks from the provider are accepted.' })
  @IsOptional()
  @IsBoolean()
  inboundWebhookEnabled?: boolean;

  @ApiPropertyOptional({ type: String, description: 'Secret used to verify inbound webhooks (stored encrypted).' })
  @IsOptional()
  @IsString()
  inboundWebhookSigningKey?: string;

  @ApiPropertyOptional({ type: String, description: 'Amazon SES configuration set name.' })
  @IsOptional()
  @IsString()
  configurationSetName?: string;

  @ApiPropertyOptional({ enum: INBOX_COUNTS, description: 'Which count the Inbox badge shows.' })
  @IsOptional()
  @IsIn(INBOX_COUNTS)
  inboxCount?: InboxCount;
}
