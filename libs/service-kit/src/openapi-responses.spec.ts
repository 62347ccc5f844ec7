import { addStandardResponses, serviceStandardResponses } from './openapi-responses';

const document = () => ({
  paths: {
    '/things': {
      get: { parameters: [{ in: 'query' }], responses: { '200': { description: 'The things' } } },
      post: { responses: { '201': { description: 'Made' }, '409': { description: 'Taken' } } },
    },
    '/things/{id}': { get: { parameters: [{ in: 'path' }], responses: { '200': { description: 'One' } } } },
  },
});

describe('addStandardResponses', () => {
  const standard = serviceStandardResponses({ internalAuth: true, database: true });

  it("documents what every operation can answer, by each one's shape, keeping its own answers", () => {
    const { paths } = addStandardResponses(document(), standard);
    expect(Object.keys(paths['/things'].get.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '408',
      '431',
      '503',
    ]);
    expect(Object.keys(paths['/things'].post.responses).sort()).toEqual([
      '201',
      '400',
      '401',
      '408',
      '409',
      '413',
      '415',
      '431',
      '503',
    ]);
    expect(Object.keys(paths['/things/{id}'].get.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '404',
      '408',
      '414',
      '431',
      '503',
    ]);
    expect(paths['/things'].post.responses['409']).toMatchObject({ description: 'Taken' });
  });

  it('gives every error answer the one error shape, and leaves success answers alone', () => {
    const result = addStandardResponses(document(), standard);
    const responses = result.paths['/things'].post.responses as Record<string, { content?: unknown }>;
    expect(responses['409'].content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } },
    });
    expect(responses['201'].content).toBeUndefined();
    expect((result as { components?: { schemas?: object } }).components?.schemas).toHaveProperty(
      'ErrorResponse.required',
      ['statusCode', 'error', 'message'],
    );
  });

  it('leaves out the internal-auth and database answers for services without them', () => {
    const edge = serviceStandardResponses({ internalAuth: false, database: false }).map(
      ({ status }) => status,
    );
    expect(edge).not.toContain(401);
    expect(edge).not.toContain(503);
  });
});
