import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { IsOptionalNotNull } from './validation.pipe';

export const MAX_OFFSET = 1_000_000;

/** Paging of every list endpoint: bounded, so no request can ask for a whole table. */
export class PageQuery {
  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptionalNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  /** Bounded too: a huge offset would otherwise reach Postgres and fail there (bigint range). */
  @ApiPropertyOptional({ default: 0, maximum: MAX_OFFSET })
  @IsOptionalNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset: number = 0;
}
