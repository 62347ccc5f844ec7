import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

function describe(errors: ValidationError[], prefix = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((error) => {
    const field = `${prefix}${error.property}`;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...describe(error.children ?? [], `${field}.`)];
  });
}

/** Rejects unknown fields and names every offending field in a 400, never a 500. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const details = describe(errors);
      return new BadRequestException({
        error: 'VALIDATION_FAILED',
        message: details.map((detail) => `${detail.field}: ${detail.problems.join(', ')}`).join('; '),
        details,
      });
    },
  });
}
