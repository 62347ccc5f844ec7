import Fastify from 'fastify';
import { installIdentityCheck } from './internal-auth';

async function answer(
  headers: Record<string, string | string[]>,
): Promise<{ status: number; error?: string }> {
  const app = Fastify();
  installIdentityCheck(app);
  app.get('/bookings', () => ({ ok: true }));
  const response = await app.inject({ method: 'GET', url: '/bookings', headers });
  await app.close();
  return { status: response.statusCode, error: response.json<{ error?: string }>().error };
}

describe('identity check (fail closed)', () => {
  it('serves a complete identity and a call without any identity', async () => {
    expect((await answer({ 'x-user-id': 'alice', 'x-user-role': 'customer' })).status).toBe(200);
    expect((await answer({ 'x-user-id': 'staff-1', 'x-user-role': 'staff' })).status).toBe(200);
    expect((await answer({})).status).toBe(200);
  });

  it.each([
    [{ 'x-user-id': 'alice' }],
    [{ 'x-user-role': 'customer' }],
    [{ 'x-user-id': 'alice', 'x-user-role': 'admin' }],
    [{ 'x-user-id': '', 'x-user-role': 'customer' }],
  ])('refuses a half or unknown identity %j with 401', async (headers) => {
    expect(await answer(headers)).toEqual({ status: 401, error: 'IDENTITY_INCOMPLETE' });
  });
});
