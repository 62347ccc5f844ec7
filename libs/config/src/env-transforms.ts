import { Transform } from 'class-transformer';
import { IsUrl } from 'class-validator';

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

// A sign is read too, so that `-1` is refused by the variable's minimum, not as unreadable.
const DURATION = /^(-?\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i;
const MS_PER_UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration variable in milliseconds: a plain number is milliseconds (`1500`), or a number with
 * a unit, `ms`, `s`, `m` or `h` (`1.5s`, `10m`). Anything else is left as it was, so `@IsInt()`
 * names the variable.
 */
export function EnvDuration(): PropertyDecorator {
  return Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
    const raw = obj[key];
    if (typeof raw !== 'string') {
      return raw;
    }
    const match = DURATION.exec(raw.trim());
    if (!match) {
      return raw;
    }
    return Number(match[1]) * MS_PER_UNIT[(match[2] ?? 'ms').toLowerCase()];
  });
}

/**
 * The http(s) base URL of another service or endpoint: host names without a TLD are fine
 * (`http://booking:8081`); the trailing slash is dropped, so paths can be appended as they are.
 */
export function IsHttpUrl(message = 'must be an http(s) URL'): PropertyDecorator {
  const transform = Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().replace(/\/+$/, '') : value,
  );
  const validate = IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message },
  );
  return (target, property) => {
    transform(target, property);
    validate(target, property);
  };
}
