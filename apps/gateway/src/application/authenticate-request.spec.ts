import { authenticateRequest } from './authenticate-request';
import type { Identity } from './identity';
import { TokenVerificationError, TokenVerifier } from './ports/token-verifier.port';

class FakeVerifier extends TokenVerifier {
  readonly seen: string[] = [];

  verify(token: string): Promise<Identity> {
    this.seen.push(token);
    if (token === 'good.token.sig') {
      return Promise.resolve({ subject: 'customer-alice', role: 'customer' });
    }
    if (token === 'broken.internally') {
      return Promise.reject(new Error('bug'));
    }
    return Promise.reject(
      new TokenVerificationError({ status: 401, error: 'TOKEN_EXPIRED', message: 'The token has expired' }),
    );
  }
}

describe('authenticateRequest', () => {
  it('treats a request without Authorization as anonymous', async () => {
    const verifier = new FakeVerifier();
    await expect(authenticateRequest(undefined, verifier)).resolves.toEqual({ status: 'anonymous' });
    await expect(authenticateRequest('', verifier)).resolves.toEqual({ status: 'anonymous' });
    expect(verifier.seen).toEqual([]);
  });

  it('verifies a bearer token, whatever the case of the scheme', async () => {
    const verifier = new FakeVerifier();
    await expect(authenticateRequest('bearer good.token.sig', verifier)).resolves.toEqual({
      status: 'authenticated',
      identity: { subject: 'customer-alice', role: 'customer' },
    });
    expect(verifier.seen).toEqual(['good.token.sig']);
  });

  it("reports the verifier's refusal", async () => {
    await expect(authenticateRequest('Bearer old.token.sig', new FakeVerifier())).resolves.toEqual({
      status: 'rejected',
      failure: { status: 401, error: 'TOKEN_EXPIRED', message: 'The token has expired' },
    });
  });

  it.each(['Basic YWxpY2U6c2VjcmV0', 'Bearer', 'Bearer a b', 'Token abc'])(
    'rejects the malformed header "%s" instead of ignoring it',
    async (header) => {
      const verifier = new FakeVerifier();
      await expect(authenticateRequest(header, verifier)).resolves.toMatchObject({
        status: 'rejected',
        failure: { status: 401, error: 'TOKEN_INVALID' },
      });
      expect(verifier.seen).toEqual([]);
    },
  );

  it('rejects repeated Authorization headers', async () => {
    await expect(
      authenticateRequest(['Bearer a.b.c', 'Bearer d.e.f'], new FakeVerifier()),
    ).resolves.toMatchObject({
      status: 'rejected',
    });
  });

  it('lets unexpected verifier errors surface (a bug is not a bad token)', async () => {
    await expect(authenticateRequest('Bearer broken.internally', new FakeVerifier())).rejects.toThrow('bug');
  });
});
