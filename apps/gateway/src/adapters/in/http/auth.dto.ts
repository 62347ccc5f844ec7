import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { ROLES, type Role } from '@storage/contracts';
import { IsCustomerId, IsOptionalNotNull } from '@storage/service-kit';

export class IssueTokenRequest {
  @ApiProperty({
    example: 'customer-1',
    description: 'Becomes the token subject: the customer id (or staff id) the services see',
  })
  @IsCustomerId()
  subject!: string;

  @ApiProperty({ enum: ROLES, example: 'customer' })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({
    minimum: 60,
    maximum: 86_400,
    description: 'Lifetime in seconds (default DEV_TOKEN_TTL_S)',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(60)
  @Max(86_400)
  expiresInSeconds?: number;
}

export class IssuedTokenResponse {
  @ApiProperty({ description: 'Send as "Authorization: Bearer <accessToken>"' })
  accessToken!: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({ example: 3600, description: 'Seconds until the token expires' })
  expiresIn!: number;
}

export class JsonWebKeySetResponse {
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Public signing keys (JWK)' })
  keys!: object[];
}
