import { clientAddress, trustedForwardedChain } from './client-address';

describe('client address for rate limiting', () => {
  it('uses the socket peer and ignores X-Forwarded-For without trusted proxies', () => {
    expect(clientAddress('203.0.113.7', '198.51.100.99', 0)).toBe('203.0.113.7');
  });

  it('takes the entry written by the outermost trusted proxy', () => {
    // client -> ingress (10.0.0.5) -> gateway: the ingress appended the real client.
    expect(clientAddress('10.0.0.5', '203.0.113.7', 1)).toBe('203.0.113.7');
    // A client-written entry further left is not believed.
    expect(clientAddress('10.0.0.5', 'forged-1, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.6', 'forged, 203.0.113.7, 10.0.0.5', 2)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.5', ['198.51.100.1', '203.0.113.7'], 1)).toBe('203.0.113.7');
  });

  it('keeps only the addresses it can vouch for in the chain it forwards', () => {
    expect(trustedForwardedChain('203.0.113.7', 'forged', 0)).toEqual(['203.0.113.7']);
    expect(trustedForwardedChain('10.0.0.5', 'forged, 203.0.113.7', 1)).toEqual(['203.0.113.7', '10.0.0.5']);
  });

  it('falls back to the leftmost known address when there are fewer hops than configured', () => {
    expect(clientAddress('10.0.0.5', '203.0.113.7', 3)).toBe('203.0.113.7');
    expect(clientAddress('203.0.113.7', undefined, 1)).toBe('203.0.113.7');
    expect(clientAddress(undefined, undefined, 0)).toBe('unknown');
  });
});
