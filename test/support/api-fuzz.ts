/**
 * Property-based fuzzing of the public API from its own OpenAPI documents: every operation the
 * gateway documents gets valid requests and hostile mutations of them (wrong types, huge and
 * negative numbers, impossible dates, unicode and control characters, deep and wide JSON, unknown
 * and missing fields, duplicated query keys, hop-by-hop and forged headers, bad tokens, other
 * customers' ids), sent as raw HTTP so nothing is normalised on the way. Each answer is checked
 * against the operation's documented status list and response schema.
 */
import { request as httpRequest, Agent } from 'node:http';
import Ajv, { type ValidateFunction } from 'ajv';
import fc from 'fast-check';

export type JsonSchema = Record<string, unknown>;

export interface OpenApiSpec {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: JsonSchema;
}

export interface Operation {
  spec: string;
  method: string;
  /** Path template under the gateway, e.g. /api/bookings/{id}. */
  path: string;
  parameters: ParameterObject[];
  body?: JsonSchema;
  responses: Record<string, JsonSchema | undefined>;
  isPublic: boolean;
}

/** Who sends a request: a named principal with a token, or a broken credential. */
export type Caller = 'alice' | 'bob' | 'staff' | 'anonymous' | 'forged' | 'malformed' | 'not-bearer';

export interface FuzzRequest {
  operation: Operation;
  caller: Caller;
  method: string;
  /** Path and query exactly as sent. */
  target: string;
  headers: Record<string, string | string[]>;
  body?: string;
}

export interface FuzzAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** Values the generators draw on: real ids of the run, so "other customers' ids" are real. */
export interface FuzzPools {
  bookingIds: string[];
  paymentIds: string[];
  unitIds: string[];
  customerIds: string[];
  /** One bookable period per request, so its start and end dates agree. */
  period?: { start: string; end: string };
}

const OPERATION_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function resolve(spec: OpenApiSpec, schema: unknown): JsonSchema | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const ref = (schema as { $ref?: string }).$ref;
  if (ref) {
    const name = ref.replace('#/components/schemas/', '');
    return resolve(spec, spec.components?.schemas?.[name]);
  }
  return schema as JsonSchema;
}

/** Every operation of a gateway-rewritten spec, with its parameters, body schema and answers. */
export function operationsOf(specName: string, spec: OpenApiSpec, prefix: string): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of OPERATION_METHODS) {
      const operation = item[method] as
        | {
            parameters?: ParameterObject[];
            requestBody?: { content?: Record<string, { schema?: unknown }> };
            responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
            security?: unknown[];
          }
        | undefined;
      if (!operation) continue;
      operations.push({
        spec: specName,
        method: method.toUpperCase(),
        path: `${prefix}${path}`,
        parameters: operation.parameters ?? [],
        body: resolve(spec, operation.requestBody?.content?.['application/json']?.schema),
        responses: Object.fromEntries(
          Object.entries(operation.responses ?? {}).map(([status, response]) => [
            status,
            response.content?.['application/json']?.schema as JsonSchema | undefined,
          ]),
        ),
        isPublic: Array.isArray(operation.security) && operation.security.length === 0,
      });
    }
  }
  return operations;
}

// ---- values -------------------------------------------------------------------------------------

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** Strings that have broken parsers somewhere: each one must meet a clear 4xx or a normal answer. */
const HOSTILE_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '..',
  '%00',
  '\u0000',
  '\u0000admin',
  'a\r\nX-Injected: 1',
  '\u202e\u0644\u0627',
  '😀'.repeat(40),
  'ｓｔａｆｆ',
  "'; DROP TABLE booking; --",
  '" OR 1=1 --',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  'x'.repeat(5000),
  '2030-02-30',
  '2030-13-01',
  '0000-00-00',
  '9999-12-31',
  '+275760-09-13',
  '2030-01-01T00:00:00Z',
  '2030-1-1',
  '1e21',
  '10000000000000000000',
  '-9223372036854775809',
  '0x10',
  '1.5',
  '00000000-0000-0000-0000-000000000000',
  'S',
  'XL',
  's',
];

const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    1.5,
    -0.0001,
    2 ** 31,
    2 ** 53,
    Number.MAX_SAFE_INTEGER + 2,
    1e21,
    1e308,
    -1e308,
    Number.MIN_VALUE,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** JSON values of every type, some nested deep or wide. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.constant(null),
  fc.boolean(),
  hostileNumber,
  hostileString,
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 5 }),
);

function validString(name: string, schema: JsonSchema, pools: FuzzPools): fc.Arbitrary<string> {
  const enumValues = schema.enum as string[] | undefined;
  if (enumValues?.length) return fc.constantFrom(...enumValues);
  if (schema.format === 'uuid' || /id$/i.test(name)) {
    const pool = /unit/i.test(name)
      ? pools.unitIds
      : /booking/i.test(name)
        ? pools.bookingIds
        : /payment/i.test(name)
          ? pools.paymentIds
          : /customer/i.test(name)
            ? pools.customerIds
            : [...pools.bookingIds, ...pools.unitIds];
    return pool.length > 0 ? fc.oneof(fc.constantFrom(...pool), fc.uuid()) : fc.uuid();
  }
  if (pools.period && /^(startDate|from)$/.test(name)) return fc.constant(pools.period.start);
  if (pools.period && /^(endDate|to)$/.test(name)) return fc.constant(pools.period.end);
  if (/date|^from$|^to$|^until$/i.test(name)) {
    return fc.integer({ min: 0, max: 3000 }).map(day);
  }
  if (/code/i.test(name)) return fc.stringMatching(/^[A-Z]{1,3}-[A-Z0-9]{1,8}$/);
  if (/method/i.test(name)) return fc.constantFrom('card', 'card-declined', 'bank-transfer');
  if (/subject/i.test(name)) return fc.stringMatching(/^fuzz-[a-z0-9]{1,12}$/);
  if (typeof schema.example === 'string') return fc.constant(schema.example);
  return fc.string({ minLength: 1, maxLength: 20 });
}

function validNumber(name: string, schema: JsonSchema): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : 0;
  const max = typeof schema.maximum === 'number' ? Math.min(schema.maximum, min + 100_000) : min + 10_000;
  if (/rate/i.test(name)) return fc.integer({ min: Math.max(min, 100), max: Math.min(max, 50_000) });
  return fc.integer({ min, max });
}

/** A value the schema allows (with plausible content where a field name says what it is). */
export function validValue(
  name: string,
  schema: JsonSchema | undefined,
  pools: FuzzPools,
): fc.Arbitrary<unknown> {
  if (!schema) return fc.string({ maxLength: 10 });
  switch (schema.type) {
    case 'integer':
    case 'number':
      return validNumber(name, schema);
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(name, schema.items as JsonSchema, pools), { maxLength: 3 });
    case 'object':
      return validObject(schema, pools);
    default:
      return validString(name, schema, pools);
  }
}

function validObject(schema: JsonSchema, pools: FuzzPools): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const entries = Object.fromEntries(
    Object.entries(properties)
      // The customer id is the token's; sending one is a mutation, not a valid request.
      .filter(([name]) => name !== 'customerId')
      .map(([name, property]) => [name, validValue(name, property, pools)]),
  );
  return fc.record(entries, {
    requiredKeys: Object.keys(entries).filter((name) => required.has(name)),
  });
}

/** A value of any type, most of them wrong for the schema. */
export function hostileValue(pools: FuzzPools): fc.Arbitrary<unknown> {
  const ids = [...pools.bookingIds, ...pools.paymentIds, ...pools.unitIds, ...pools.customerIds];
  return fc.oneof(anyJson, ids.length > 0 ? fc.constantFrom(...ids) : fc.uuid());
}

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** A body: valid, one field broken, fields missing or added, the wrong JSON, no JSON at all. */
function bodyOf(operation: Operation, pools: FuzzPools): fc.Arbitrary<string | undefined> {
  const valid = operation.body ? validObject(operation.body, pools) : fc.constant({});
  const fields = Object.keys(operation.body?.properties ?? {});
  const mutated = valid.chain((object) =>
    fc.oneof(
      { arbitrary: fc.constant(object), weight: 4 },
      fields.length > 0
        ? fc
            .tuple(fc.constantFrom(...fields), hostileValue(pools))
            .map(([field, value]) => ({ ...object, [field]: value }))
        : fc.constant(object),
      fields.length > 0
        ? fc.constantFrom(...fields).map((field) => {
            const copy: Record<string, unknown> = { ...object };
            delete copy[field];
            return copy;
          })
        : fc.constant(object),
      fc
        .dictionary(fc.string({ minLength: 1, maxLength: 12 }), hostileValue(pools), {
          minKeys: 1,
          maxKeys: 4,
        })
        .map((extra) => ({ ...extra, ...object })),
      fc.constantFrom(...pools.customerIds).map((customerId) => ({ ...object, customerId })),
    ),
  );
  return fc.oneof(
    { weight: 6, arbitrary: mutated.map((object) => JSON.stringify(object)) },
    { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value) ?? 'null') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '{"size":',
        'size=S&startDate=2030-01-01',
        '\u0000\u0001\u0002',
        '{"__proto__":{"isAdmin":true},"size":"S"}',
        '{"constructor":{"prototype":{"x":1}}}',
        '{"size":"S","size":"M"}',
        nested(40),
        nested(20_000),
        `[${'1,'.repeat(50_000)}1]`,
        `{${Array.from({ length: 5000 }, (_, index) => `"k${index}":${index}`).join(',')}}`,
        JSON.stringify({ size: 'S', note: 'x'.repeat(2_000_000) }),
      ),
    },
  );
}

function encodeValue(value: unknown): string {
  return encodeURIComponent(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
}

/** Raw path segments that are not plain encodings: broken escapes and dot segments. */
const RAW_SEGMENTS = ['%', '%zz', '%2e%2e', '%2F', '..', '.', '%00', '%C0%AF', '%E2%80%AE', 'a;b=c'];

function pathOf(operation: Operation, pools: FuzzPools): fc.Arbitrary<string> {
  const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => name);
  // An `id` is the id of the path's resource: a unit's under /storage-units, and so on.
  const resource = /storage-units/.test(operation.path)
    ? 'unitId'
    : /payments/.test(operation.path)
      ? 'paymentId'
      : 'bookingId';
  const values = names.map((name) => {
    const schema = operation.parameters.find((parameter) => parameter.name === name)?.schema;
    return fc.oneof(
      { weight: 4, arbitrary: validValue(name === 'id' ? resource : name, schema, pools).map(encodeValue) },
      { weight: 2, arbitrary: hostileValue(pools).map(encodeValue) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    );
  });
  return fc
    .tuple(...values)
    .map((segments) =>
      names.reduce((path, name, index) => path.replace(`{${name}}`, segments[index]), operation.path),
    );
}

function queryOf(operation: Operation, pools: FuzzPools): fc.Arbitrary<string> {
  const parameters = operation.parameters.filter((parameter) => parameter.in === 'query');
  const pairs = parameters.map((parameter) =>
    fc.oneof(
      {
        weight: 4,
        arbitrary: validValue(parameter.name, parameter.schema, pools).map((value) => [
          [parameter.name, value],
        ]),
      },
      { weight: parameter.required ? 1 : 3, arbitrary: fc.constant([] as [string, unknown][]) },
      { weight: 2, arbitrary: hostileValue(pools).map((value) => [[parameter.name, value]]) },
      // Duplicated keys: frameworks read them as arrays.
      {
        weight: 1,
        arbitrary: fc
          .tuple(validValue(parameter.name, parameter.schema, pools), hostileValue(pools))
          .map(([first, second]) => [
            [parameter.name, first],
            [parameter.name, second],
          ]),
      },
    ),
  );
  const extra = fc.oneof(
    { weight: 4, arbitrary: fc.constant([] as [string, unknown][]) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('customerId', 'x', '__proto__', 'constructor[prototype]', 'limit[]', ''),
          hostileValue(pools),
        )
        .map((pair) => [pair]),
    },
  );
  return fc.tuple(...pairs, extra).map((groups) => {
    const query = groups
      .flat()
      .map(([key, value]) => `${encodeURIComponent(String(key))}=${encodeValue(value)}`)
      .join('&');
    return query ? `?${query}` : '';
  });
}

/** Headers clients send by themselves, hop-by-hop ones, and forged identity. */
const ODD_HEADERS: Record<string, string | string[]>[] = [
  { expect: '100-continue' },
  { connection: 'keep-alive, x-user-role, x-user-id', 'keep-alive': 'timeout=5' },
  { connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA' },
  { te: 'trailers' },
  { 'x-user-id': 'mallory', 'x-user-role': 'staff' },
  { 'x-user-role': 'superuser' },
  { 'x-internal-auth': 'guessed-secret' },
  {
    'x-forwarded-for': '10.0.0.1, 127.0.0.1',
    'x-forwarded-proto': 'javascript',
    'x-forwarded-host': 'evil.example',
  },
  { 'x-request-id': 'a'.repeat(500) },
  { 'x-request-id': '<script>' },
  { traceparent: 'not-a-traceparent' },
  { 'idempotency-key': '' },
  { 'idempotency-key': 'x'.repeat(300) },
  { 'idempotency-key': ['fuzz-key-1', 'fuzz-key-2'] },
  { accept: 'text/html' },
  { 'accept-encoding': 'gzip, br' },
  { 'content-encoding': 'gzip' },
  { 'content-type': 'text/plain' },
  { 'content-type': 'application/json; charset=utf-16' },
  { 'content-type': 'application/x-www-form-urlencoded' },
  { 'content-type': 'multipart/form-data; boundary=x' },
  { 'content-type': 'application/json' },
  { authorization: '' },
  { cookie: 'session=abc' },
  { 'x-http-method-override': 'DELETE' },
  { range: 'bytes=0-10' },
];

/** A period that is bookable: from today to about five years ahead, one to sixty days long. */
const bookablePeriod = fc
  .tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 60 }))
  .map(([offset, days]) => ({ start: day(offset), end: day(offset + days) }));

export function requestArbitrary(operation: Operation, pools: FuzzPools): fc.Arbitrary<FuzzRequest> {
  return bookablePeriod.chain((period) => requestWith(operation, { ...pools, period }));
}

function requestWith(operation: Operation, pools: FuzzPools): fc.Arbitrary<FuzzRequest> {
  const sendsBody = operation.body !== undefined || operation.method !== 'GET';
  return fc
    .record({
      caller: fc.constantFrom<Caller>(
        'alice',
        'alice',
        'bob',
        'staff',
        'staff',
        'anonymous',
        'forged',
        'malformed',
        'not-bearer',
      ),
      path: pathOf(operation, pools),
      query: queryOf(operation, pools),
      body: sendsBody
        ? fc.oneof(
            { weight: 8, arbitrary: bodyOf(operation, pools) },
            { weight: 1, arbitrary: fc.constant(undefined) },
          )
        : fc.oneof(
            { weight: 9, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: bodyOf(operation, pools) },
          ),
      odd: fc.subarray(ODD_HEADERS, { maxLength: 3 }),
      idempotencyKey: fc.option(fc.stringMatching(/^[A-Za-z0-9-]{8,40}$/), { nil: undefined }),
    })
    .map(({ caller, path, query, body, odd, idempotencyKey }) => {
      const headers: Record<string, string | string[]> = {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (idempotencyKey && operation.parameters.some((parameter) => parameter.name === 'Idempotency-Key')) {
        headers['idempotency-key'] = idempotencyKey;
      }
      for (const extra of odd) Object.assign(headers, extra);
      return { operation, caller, method: operation.method, target: `${path}${query}`, headers, body };
    });
}

// ---- sending and checking -----------------------------------------------------------------------

const agent = new Agent({ keepAlive: true, maxSockets: 16 });
/** What each connection carried last, so a hang says what came before it on the same connection. */
const lastOnSocket = new WeakMap<object, { request: FuzzRequest; answered: boolean }>();

/** Sends one request as raw HTTP/1.1; a hang past `timeoutMs` is reported, never waited out. */
export function send(
  baseUrl: string,
  request: FuzzRequest,
  authorization: string | undefined,
  timeoutMs: number,
): Promise<FuzzAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const headers = { ...request.headers };
  if (authorization !== undefined && headers.authorization === undefined)
    headers.authorization = authorization;
  // Node frames a GET or DELETE body with neither Content-Length nor chunked encoding: the bytes
  // would be read as the start of the next request on the connection. Frame every body.
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  return new Promise((resolvePromise, reject) => {
    const outgoing = httpRequest(
      { host: hostname, port, method: request.method, path: request.target, headers, agent },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolvePromise({
            status: incoming.statusCode ?? 0,
            contentType: String(incoming.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        incoming.on('error', reject);
      },
    );
    const sentAt = Date.now();
    outgoing.on('socket', (socket) => {
      const bytesBefore = socket.bytesRead;
      const previous = lastOnSocket.get(socket);
      lastOnSocket.set(socket, { request, answered: false });
      outgoing.once('response', () => {
        const entry = lastOnSocket.get(socket);
        if (entry) entry.answered = true;
      });
      outgoing.setTimeout(timeoutMs, () => {
        const before = previous
          ? `; the connection's previous request${previous.answered ? '' : ' (unanswered)'}: ${describeRequest(previous.request)}`
          : '';
        outgoing.destroy(
          new Error(
            `no answer within ${timeoutMs} ms (hang on a ${outgoing.reusedSocket ? 'reused' : 'new'} connection, ` +
              `${socket.bytesRead - bytesBefore} bytes received since, timer fired after ${Date.now() - sentAt} ms${before})`,
          ),
        );
      });
    });
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

export class ResponseChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly specs: Record<string, OpenApiSpec>) {
    this.ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    this.ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    this.ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/);
  }

  /** What is wrong with an answer, or undefined when it is what the spec promises. */
  problem(request: FuzzRequest, answer: FuzzAnswer): string | undefined {
    const { operation } = request;
    if (answer.status >= 500) return `server error ${answer.status}: ${answer.text.slice(0, 300)}`;
    if (!(String(answer.status) in operation.responses)) {
      return `status ${answer.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')}): ${answer.text.slice(0, 300)}`;
    }
    const schema = operation.responses[String(answer.status)];
    if (!schema) return undefined;
    if (!answer.contentType.startsWith('application/json')) {
      return `documented as JSON, answered ${answer.contentType || 'without a content type'}: ${answer.text.slice(0, 200)}`;
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return `answer is not JSON: ${answer.text.slice(0, 200)}`;
    }
    const validate = this.validator(operation, String(answer.status), schema);
    if (!validate(body)) {
      return `answer does not match the documented schema: ${this.ajv.errorsText(validate.errors)}; body ${answer.text.slice(0, 300)}`;
    }
    return undefined;
  }

  private validator(operation: Operation, status: string, schema: JsonSchema): ValidateFunction {
    const key = `${operation.spec} ${operation.method} ${operation.path} ${status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile({ ...schema, components: this.specs[operation.spec].components });
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/** A failing request in a form that can be replayed with curl. */
export function describeRequest(request: FuzzRequest): string {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `${name}: ${JSON.stringify(value).slice(0, 80)}`)
    .join('; ');
  const body =
    request.body === undefined ? '' : ` body(${request.body.length}) ${request.body.slice(0, 160)}`;
  return `${request.caller} ${request.method} ${request.target.slice(0, 300)} [${headers}]${body}`;
}
