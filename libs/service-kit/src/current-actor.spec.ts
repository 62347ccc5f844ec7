import type { FastifyRequest } from 'fastify';
import { actorFrom } from './current-actor';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;

describe('actorFrom', () => {
  it('makes a customer of a customer identity, and trusts staff and calls without identity', () => {
    expect(actorFrom(request({ 'x-user-id': 'alice', 'x-user-role': 'customer' }))).toEqual({
      kind: 'customer',
      customerId: 'alice',
    });
    expect(actorFrom(request({ 'x-user-id': 'sam', 'x-user-role': 'staff' }))).toEqual({ kind: 'trusted' });
    expect(actorFrom(request({}))).toEqual({ kind: 'trusted' });
  });
});
