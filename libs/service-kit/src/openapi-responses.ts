/**
 * Every answer an operation can give belongs in its spec, errors included: a client (or the API
 * fuzz suite) reads the status list and the shapes from there. Controllers document their
 * operation-specific answers; the answers every operation of a service can give (bad input, an
 * incomplete identity, an unreachable database) are added here once, all in one error shape.
 */

/** The keys of an OpenAPI path item that are operations. */
export const OPENAPI_OPERATION_METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'patch',
  'options',
  'head',
  'trace',
] as const;

export const ERROR_RESPONSE_SCHEMA = 'ErrorResponse';

/** The JSON shape of every error answer, from the services' HttpErrorFilter and from the gateway. */
const errorResponseSchema = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer', minimum: 400, maximum: 599 },
    error: { type: 'string', description: 'Machine-readable code, e.g. VALIDATION_FAILED' },
    message: { type: 'string', description: 'What went wrong, naming the field or rule' },
    details: { description: 'Facts behind the error (the values involved)' },
    requestId: { type: 'string' },
  },
};

export interface StandardResponse {
  status: number;
  description: string;
  /** Which operations can give it: all, those with path parameters, or those taking a body. */
  applies?: 'always' | 'with-path-parameters' | 'with-body';
}

interface OperationObject {
  parameters?: { in?: string }[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string; content?: unknown }>;
}

const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

function applies(response: StandardResponse, method: string, operation: OperationObject): boolean {
  switch (response.applies ?? 'always') {
    case 'always':
      return true;
    case 'with-path-parameters':
      return (operation.parameters ?? []).some((parameter) => parameter.in === 'path');
    case 'with-body':
      return BODY_METHODS.has(method);
  }
}

/**
 * Adds `standard` to every operation that can give it and does not document it yet, and gives
 * every documented error answer the ErrorResponse shape. Mutates and returns `document`.
 */
export function addStandardResponses<D extends { paths: object; components?: object }>(
  document: D,
  standard: readonly StandardResponse[],
): D {
  const components: { schemas?: object } = document.components ?? {};
  document.components = {
    ...components,
    schemas: { ...components.schemas, [ERROR_RESPONSE_SCHEMA]: errorResponseSchema },
  };
  const errorContent = {
    'application/json': { schema: { $ref: `#/components/schemas/${ERROR_RESPONSE_SCHEMA}` } },
  };
  for (const item of Object.values(document.paths) as Record<string, unknown>[]) {
    for (const method of OPENAPI_OPERATION_METHODS) {
      const operation = item[method] as OperationObject | undefined;
      if (!operation) continue;
      const responses = (operation.responses ??= {});
      for (const response of standard) {
        if (!(String(response.status) in responses) && applies(response, method, operation)) {
          responses[String(response.status)] = { description: response.description };
        }
      }
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400 && !response.content) {
          response.content = errorContent;
        }
      }
    }
  }
  return document;
}

/** What any operation of a service built with runService can answer besides its own answers. */
export function serviceStandardResponses(options: {
  internalAuth: boolean;
  database: boolean;
}): StandardResponse[] {
  return [
    {
      status: 400,
      description: 'Invalid input: the message names the parameter, field or rule (VALIDATION_FAILED)',
    },
    ...(options.internalAuth
      ? [{ status: 401, description: 'No internal credentials, or an incomplete caller identity' }]
      : []),
    {
      status: 404,
      description: 'No such record (or not visible to the caller)',
      applies: 'with-path-parameters',
    },
    { status: 408, description: 'The request was not sent in time; the connection is closed' },
    {
      status: 414,
      description: 'A path parameter is longer than any valid value',
      applies: 'with-path-parameters',
    },
    { status: 413, description: 'The body is larger than the service accepts', applies: 'with-body' },
    {
      status: 415,
      description: 'The body is not JSON, or is sent compressed (Content-Encoding)',
      applies: 'with-body',
    },
    {
      status: 431,
      description: 'The request line and headers are larger than 16 kB; the connection is closed',
    },
    ...(options.database
      ? [
          {
            status: 503,
            description: 'The database is unreachable or busy right now; Retry-After says when to retry',
          },
        ]
      : []),
  ];
}
