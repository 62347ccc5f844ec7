import { isOpenApiDocument, rewriteForGateway, type OpenApiDocument } from './gateway-openapi';

function serviceSpec(paths: OpenApiDocument['paths']): OpenApiDocument {
  return {
    openapi: '3.0.0',
    info: { title: 'Payment service', version: '1.0' },
    servers: [{ url: 'http://payment:8082' }],
    paths,
    components: {
      schemas: { PaymentResponse: { type: 'object' } },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}

describe('OpenAPI through the gateway', () => {
  it('serves the spec under /api with one bearer scheme for the Authorize button', () => {
    const rewritten = rewriteForGateway(
      serviceSpec({ '/payments': { get: { summary: 'List' } } }),
      'payment',
    );
    expect(rewritten.servers).toEqual([expect.objectContaining({ url: '/api' })]);
    expect(rewritten.security).toEqual([{ bearer: [] }]);
    expect(rewritten.components?.securitySchemes?.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(Object.keys(rewritten.components?.schemas ?? {})).toEqual(['PaymentResponse', 'ErrorResponse']);
    expect(rewritten.components?.schemas).toHaveProperty('PaymentResponse', { type: 'object' });
    expect(rewritten.components?.schemas).toHaveProperty('ErrorResponse.required', [
      'statusCode',
      'error',
      'message',
    ]);
    expect(rewritten.info.title).toBe('Payment service (through the gateway)');
  });

  it('keeps only operations the gateway routes and lets someone call', () => {
    const rewritten = rewriteForGateway(
      serviceSpec({
        '/payments': { get: { summary: 'List' }, post: { summary: 'Charge' }, parameters: [] },
        '/payments/{id}': { get: { summary: 'One' } },
        '/health/ready': { get: { summary: 'Readiness' } },
        '/refunds': { post: { summary: 'Internal' } },
      }),
      'payment',
    );
    expect(Object.keys(rewritten.paths)).toEqual(['/payments', '/payments/{id}']);
    expect(Object.keys(rewritten.paths['/payments'])).toEqual(['get', 'parameters']);
  });

  it('marks public operations as needing no token and tells who may call the others', () => {
    const rewritten = rewriteForGateway(
      serviceSpec({
        '/availability': { get: { summary: 'Free sizes', description: 'Per size.' } },
        '/storage-units': { post: { summary: 'Register' } },
      }),
      'storage-assign',
    );
    const availability = rewritten.paths['/availability'].get as { security: unknown[]; description: string };
    expect(availability.security).toEqual([]);
    expect(availability.description).toBe('Per size.\n\nGateway access: public, no token needed.');
    const register = rewritten.paths['/storage-units'].post as { security: unknown[]; description: string };
    expect(register.security).toEqual([{ bearer: [] }]);
    expect(register.description).toBe('Gateway access: staff.');
  });

  it('says when a customer only sees their own records', () => {
    const rewritten = rewriteForGateway(serviceSpec({ '/bookings': { get: {} } }), 'booking');
    expect((rewritten.paths['/bookings'].get as { description: string }).description).toContain(
      'A customer only ever sees their own records',
    );
  });

  it('does not modify the fetched document', () => {
    const original = serviceSpec({ '/payments': { get: { summary: 'List' } } });
    const copy = structuredClone(original);
    rewriteForGateway(original, 'payment');
    expect(original).toEqual(copy);
  });

  it('recognises OpenAPI 3 documents only', () => {
    expect(isOpenApiDocument(serviceSpec({}))).toBe(true);
    expect(isOpenApiDocument({ swagger: '2.0', info: {}, paths: {} })).toBe(false);
    expect(isOpenApiDocument({ openapi: '3.0.0', info: {} })).toBe(false);
    expect(isOpenApiDocument('<html>')).toBe(false);
    expect(isOpenApiDocument(null)).toBe(false);
  });
});
