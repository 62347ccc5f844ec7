import {
  BadRequestException,
  Param,
  ParseUUIDPipe,
  ValidationPipe,
  type ArgumentMetadata,
  type ValidationError,
} from '@nestjs/common';
import { Matches, ValidateIf } from 'class-validator';
import { constraintMessages } from '@storage/config';
import { CUSTOMER_ID_PATTERN, CUSTOMER_ID_RULE } from '@storage/contracts';

function describe(errors: ValidationError[], prefix = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((error) => {
    const field = `${prefix}${error.property}`;
    const own = error.constraints ? [{ field, problems: constraintMessages(error) }] : [];
    return [...own, ...describe(error.children ?? [], `${field}.`)];
  });
}

/**
 * Fields of `value` (nested ones as `a.b`) named like a member every object inherits (`toString`,
 * `constructor`, `valueOf`...). class-transformer skips those without a word, so the whitelist
 * below never sees them: `{"toString": 1}` would pass as if it had not been sent.
 */
function inheritedNameFields(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) {
    return [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => inheritedNameFields(item, `${prefix}${index}.`));
  }
  return Object.keys(value).flatMap((key) => [
    ...(key in Object.prototype ? [`${prefix}${key}`] : []),
    ...inheritedNameFields((value as Record<string, unknown>)[key], `${prefix}${key}.`),
  ]);
}

/**
 * Query parameters sent more than once (`?size=M&size=L`): the parser makes a list of them, which
 * no query here takes, and the field's own rule would then call the list a bad date or size.
 */
function repeatedQueryFields(query: unknown): string[] {
  if (typeof query !== 'object' || query === null) {
    return [];
  }
  return Object.entries(query).flatMap(([key, value]) => (Array.isArray(value) ? [key] : []));
}

class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if ((metadata.type === 'body' || metadata.type === 'query') && this.toValidate(metadata)) {
      const inherited = inheritedNameFields(value).map((field) => ({
        field,
        problems: [`property ${field.slice(field.lastIndexOf('.') + 1)} should not exist`],
      }));
      const repeated = (metadata.type === 'query' ? repeatedQueryFields(value) : []).map((field) => ({
        field,
        problems: [`${field} is given more than once; send it once`],
      }));
      if (inherited.length + repeated.length > 0) {
        throw validationFailed([...inherited, ...repeated]);
      }
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/** Rejects unknown fields and names every offending field in a 400, never a 500. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => validationFailed(describe(errors)),
  });
}

/** The 400 of every refused request field: each field named with its problems. */
function validationFailed(details: { field: string; problems: string[] }[]): BadRequestException {
  return new BadRequestException({
    error: 'VALIDATION_FAILED',
    message: details.map((detail) => `${detail.field}: ${detail.problems.join(', ')}`).join('; '),
    details,
  });
}

/**
 * A path parameter that must be a UUID: anything else is the same 400 as a refused body or query
 * field, naming the parameter (Nest's own pipe says only "uuid is expected").
 */
export function UuidParam(name: string): ParameterDecorator {
  return Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => validationFailed([{ field: name, problems: [`${name} must be a UUID`] }]),
    }),
  );
}

/**
 * An optional request field: it may be left out, but not sent as null. class-validator's own
 * IsOptional lets null through too, and a handler that was promised "a number or nothing" then
 * meets a null (which became a 500). With this, null is checked like any other value, so the
 * answer is a 400 naming the field.
 */
export function IsOptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

/**
 * A customer (or staff) id in a request: the same form as a token subject, so an id no token can
 * carry (a NUL, a control character, a space) is a 400 naming the field, never a query that
 * Postgres refuses.
 */
export function IsCustomerId(): PropertyDecorator {
  return Matches(CUSTOMER_ID_PATTERN, {
    message: ({ property }) => `${property} must be ${CUSTOMER_ID_RULE}`,
  });
}
