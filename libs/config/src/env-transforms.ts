import { Transform } from 'class-transformer';

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/**
 * A boolean variable, read the same way by every service: true/false, 1/0, yes/no, on/off (any
 * case). Anything else is left as it was, so `@IsBoolean()` names the variable. It reads the raw
 * value: implicit conversion would already have turned "false" into true (a non-empty string).
 */
export function EnvBoolean(): PropertyDecorator {
  return Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
    const raw = obj[key];
    if (typeof raw !== 'string') {
      return raw;
    }
    const normalized = raw.trim().toLowerCase();
    if (TRUE_WORDS.includes(normalized)) return true;
    if (FALSE_WORDS.includes(normalized)) return false;
    return raw;
  });
}

/** A comma-separated list variable: items trimmed, empty ones dropped. */
export function EnvList(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : value,
  );
}
