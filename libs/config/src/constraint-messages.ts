import type { ValidationError } from 'class-validator';

/** class-validator's checks of what a value is, as opposed to which values of that type are allowed. */
const TYPE_CONSTRAINTS = new Set(['isInt', 'isNumber', 'isBoolean', 'isString', 'isEnum', 'isIn']);

/**
 * What is wrong with one value, for a person to read (a config variable, a request field in
 * service-kit's validation pipe, an event field in messaging's router): a value that is not even
 * of its type (`abc` for a number, a list for a number) is not also "greater than 10000" and
 * "less than 0", so only the type checks it failed are named then.
 */
export function constraintMessages(error: Pick<ValidationError, 'constraints'>): string[] {
  const constraints = Object.entries(error.constraints ?? {});
  const ofType = constraints.filter(([name]) => TYPE_CONSTRAINTS.has(name));
  return (ofType.length > 0 ? ofType : constraints).map(([, message]) => message);
}
