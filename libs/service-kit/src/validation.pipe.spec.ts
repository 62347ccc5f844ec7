import { BadRequestException } from '@nestjs/common';
import { IsInt, Min } from 'class-validator';
import { createValidationPipe, IsOptionalNotNull } from './validation.pipe';

class TokenRequest {
  @IsOptionalNotNull()
  @IsInt()
  @Min(60)
  expiresInSeconds?: number;
}

const validate = (body: unknown) =>
  createValidationPipe().transform(body, { type: 'body', metatype: TokenRequest });

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
