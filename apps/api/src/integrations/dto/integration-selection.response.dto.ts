import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IntegrationResponseDto } from './integration.response.dto';

/** One integration the selection looked at, and why it was taken or passed over. */
export class SelectionCandidateDto {
  @ApiProperty({ type: String, example: '0b6f1d5e-3f0c-4a39-9d0e-6a0f3c1b2a11' })
  _id: string;

  @ApiProperty({ type: String, example: 'send-grid-PPBqWA9' })
  identifier: string;

  @ApiProperty({ type: String, example: 'sendgrid' })
  providerId: string;

  @ApiProperty({ type: Boolean, example: true })
  selected: boolean;

  @ApiProperty({ type: String, example: 'selected: the primary of the channel' })
  reason: string;
}

/** The answer of `POST /v1/integrations/select` (docs/contract.md §8). */
export class IntegrationSelectionResponseDto {
  @ApiPropertyOptional({ type: () => IntegrationResponseDto, description: 'The integration that delivers; absent when none qualifies.' })
  integration?: IntegrationResponseDto;

  @ApiProperty({ type: () => IntegrationResponseDto, isArray: true, description: 'What to try next when it fails, in order.' })
  fallbacks: IntegrationResponseDto[];

  @ApiProperty({ type: () => SelectionCandidateDto, isArray: true, description: 'Every active integration of the channel, in order.' })
  candidates: SelectionCandidateDto[];
}
