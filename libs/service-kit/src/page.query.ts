import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, type TransformFnParams } from 'class-transformer';
import { ValidateBy } from 'class-validator';
import { IsOptionalNotNull } from './validation.pipe';

export const MAX_OFFSET = 1_000_000;

/**
 * A query parameter is text: only plain decimal digits are read as a number. `Number()` would
 * also take "0x10" (16), " 1", "1e2" or "" (0) and answer as if the client had meant them.
 * Anything else stays as it came and fails the range check below, naming the field.
 */
function decimal({ value }: TransformFnParams): unknown {
  return typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
}

/** A whole number in [min, max], with one message that says so (the parameter given once). */
function IsWholeNumberFromTo(min: number, max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isWholeNumberFromTo',
    validator: {
      validate: (value: unknown) =>
        Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max,
      defaultMessage: (arguments_) =>
        `${arguments_?.property ?? 'value'} must be a whole number from ${min} to ${max}, given once`,
    },
  });
}

/** Paging of every list endpoint: bounded, so no request can ask for a whole table. */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 200 })
  @IsOptionalNotNull()
  @Transform(decimal)
  @IsWholeNumberFromTo(1, 200)
  limit: number = 50;

  /** Bounded too: a huge offset would otherwise reach Postgres and fail there (bigint range). */
  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, maximum: MAX_OFFSET })
  @IsOptionalNotNull()
  @Transform(decimal)
  @IsWholeNumberFromTo(0, MAX_OFFSET)
  offset: number = 0;
}
