import { BadRequestException } from '@nestjs/common';
import { IsInt, Min } from 'class-validator';
import { createValidationPipe, IsCustomerId, IsOptionalNotNull } from './validation.pipe';

class TokenRequest {
  @IsOptionalNotNull()
  @IsInt()
  @Min(60)
  expiresInSeconds?: number;
}

class ListQuery {
  @IsOptionalNotNull()
  @IsCustomerId()
  customerId?: string;
}

const validate = (body: unknown) =>
  createValidationPipe().transform(body, { type: 'body', metatype: TokenRequest });
const validateQuery = (query: unknown) =>
  createValidationPipe().transform(query, { type: 'query', metatype: ListQuery });

describe('IsOptionalNotNull', () => {
  it('lets a field be left out, and checks any value that is sent', async () => {
    await expect(validate({})).resolves.toEqual({});
    await expect(validate({ expiresInSeconds: 120 })).resolves.toEqual({ expiresInSeconds: 120 });
    await expect(validate({ expiresInSeconds: 5 })).rejects.toThrow(
      /expiresInSeconds: expiresInSeconds must not be less than 60/,
    );
  });

  it('refuses null with a 400 naming the field, instead of handing it to the handler', async () => {
    const refusal = validate({ expiresInSeconds: null });
    await expect(refusal).rejects.toBeInstanceOf(BadRequestException);
    await expect(refusal).rejects.toThrow(/expiresInSeconds: .*integer/);
  });
});

describe('IsCustomerId', () => {
  it('takes any id a token subject can be', async () => {
    for (const customerId of ['customer-1', 'a', 'x'.repeat(100), 'staff@example.org', '~!#$%']) {
      await expect(validateQuery({ customerId })).resolves.toEqual({ customerId });
    }
  });

  it('refuses what no subject can be (a NUL Postgres would refuse, controls, spaces, non-ASCII, too long) with a 400 naming the field', async () => {
    for (const customerId of [
      '\u0000admin',
      'a\u0000',
      'tab\there',
      'two words',
      '고객',
      '',
      'x'.repeat(101),
      42,
    ]) {
      const refusal = validateQuery({ customerId });
      await expect(refusal).rejects.toBeInstanceOf(BadRequestException);
      await expect(refusal).rejects.toThrow(
        /customerId: customerId must be 1-100 printable characters without spaces/,
      );
    }
  });
});

describe('fields named like an inherited member', () => {
  // class-transformer drops such a field silently, so the whitelist alone would let it pass.
  it.each(['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__proto__'])(
    'refuses %s in a body or a query with a 400 naming it, like any unknown field',
    async (name) => {
      const body: Record<string, unknown> = { expiresInSeconds: 120 };
      Object.defineProperty(body, name, { value: 'x', enumerable: true });
      const refusal = validate(body);
      await expect(refusal).rejects.toBeInstanceOf(BadRequestException);
      await expect(refusal).rejects.toThrow(`${name}: property ${name} should not exist`);
      const query: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      query[name] = '1';
      await expect(validateQuery(query)).rejects.toThrow(`${name}: property ${name} should not exist`);
    },
  );

  it('names a nested one by its path, and lets ordinary fields through', async () => {
    await expect(validate({ expiresInSeconds: 120, nested: [{ toString: 1 }] })).rejects.toThrow(
      'nested.0.toString: property toString should not exist',
    );
    await expect(validate({ expiresInSeconds: 120 })).resolves.toEqual({ expiresInSeconds: 120 });
    await expect(validateQuery({ customerId: 'toString' })).resolves.toEqual({ customerId: 'toString' });
  });
});

describe('query parameters given more than once', () => {
  it('refuses each with a 400 saying so, instead of calling the list a bad value', async () => {
    const refusal = validateQuery({ customerId: ['alice', 'bob'] });
    await expect(refusal).rejects.toBeInstanceOf(BadRequestException);
    await expect(refusal).rejects.toThrow('customerId: customerId is given more than once; send it once');
    await expect(validateQuery({ customerId: 'alice' })).resolves.toEqual({ customerId: 'alice' });
  });

  it('leaves a list in a body to the body rules (a body field can be an array)', async () => {
    // Named for what it is not (a number), not also for being "less than 60".
    await expect(validate({ expiresInSeconds: [1, 2] })).rejects.toThrow(
      /^expiresInSeconds: expiresInSeconds must be an integer number$/,
    );
    await expect(validate({ expiresInSeconds: 'soon' })).rejects.toThrow(
      /^expiresInSeconds: expiresInSeconds must be an integer number$/,
    );
    // A number out of range is named for its range.
    await expect(validate({ expiresInSeconds: 5 })).rejects.toThrow(
      /^expiresInSeconds: expiresInSeconds must not be less than 60$/,
    );
  });
});
