import { randomUUID } from 'node:crypto';
import { type IncomingMessage, maxHeaderSize, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { endLingering } from './connection-draining';
import type { ErrorBody } from './http-error.filter';

/** What Node's HTTP parser and its timers raise before any route sees the request. */
interface ClientError extends Error {
  code?: string;
  /** llhttp's fixed description of what is wrong ("Invalid header token"); never client data. */
  reason?: string;
}

/** The server's limits, for the 408's message (Node raises the same error for either). */
export interface RequestDeadlines {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/**
 * The answer to a request Node refused before routing: in the one error shape, naming the problem.
 * Fastify's own says "Client Error" whatever the problem was.
 */
export function clientErrorBody(error: ClientError, deadlines: RequestDeadlines): ErrorBody {
  const requestId = randomUUID();
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      statusCode: 408,
      error: 'REQUEST_TIMEOUT',
      message: `The request was not received in time (headers are due within ${deadlines.headersTimeoutMs} ms, the whole request within ${deadlines.requestTimeoutMs} ms)`,
      requestId,
    };
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return {
      statusCode: 431,
      error: 'HEADERS_TOO_LARGE',
      message: `The request line and headers are larger than ${maxHeaderSize} bytes`,
      requestId,
    };
  }
  const problem =
    error.code === 'HPE_PAUSED_H2_UPGRADE'
      ? 'HTTP/2 without negotiation is not served here; use HTTP/1.1'
      : (error.reason ?? error.code ?? 'unreadable request');
  return {
    statusCode: 400,
    error: 'MALFORMED_REQUEST',
    message: `Not a valid HTTP/1.1 request: ${problem}`,
    requestId,
  };
}

const answered = new WeakSet<Socket>();

/** Writes `answer` as the connection's last bytes and ends it (lingering: see endLingering). */
function answerAndClose(socket: Socket, answer: ErrorBody, headers = ''): void {
  const body = JSON.stringify(answer);
  endLingering(
    socket,
    `HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode] ?? ''}\r\n${headers}Connection: close\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** The answer Node is writing on a connection now, if any (its `req` is the request it answers). */
function currentAnswer(socket: Socket): ServerResponse | undefined {
  return (socket as { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}

/**
 * Fastify's `clientErrorHandler`. Fastify's default writes its answer without `Connection: close`
 * and then destroys the socket: a keep-alive client (Node's default agent, browsers) takes the
 * connection as reusable, and its next request on it meets a reset. Here the answer says the
 * connection ends, and the socket lingers (see endLingering) so that bytes the client still had
 * in flight (the rest of oversized headers, a body) do not turn our answer into a reset.
 *
 * Requests a client pipelined before the unreadable one (received whole, still being answered)
 * are answered first: HTTP answers a connection's requests in order, so a refusal written at once
 * would be read as the answer to the first of them (a booking made, its client told 400), and
 * closing the connection would lose theirs. The refusal waits for them, at most the request
 * timeout; an answer due to a request still being received is this refusal's own request.
 */
export function answerClientError(deadlines: RequestDeadlines): (error: ClientError, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) {
      // Gone already, or the parser refusing the bytes that follow a request it already refused.
      return;
    }
    answered.add(socket);
    const giveUp = setTimeout(() => socket.destroy(), deadlines.requestTimeoutMs);
    giveUp.unref();
    const answerWhenDue = (): void => {
      const pending = currentAnswer(socket);
      if (pending && !pending.writableFinished && pending.req.complete && !socket.destroyed) {
        // Node hands the connection to the next pipelined answer when this one finishes (its
        // own 'finish' listener runs first); look again then.
        const next = () => {
          pending.off('finish', next);
          pending.off('close', next);
          setImmediate(answerWhenDue);
        };
        pending.on('finish', next);
        pending.on('close', next);
        return;
      }
      clearTimeout(giveUp);
      // As Node's own default: never write into the middle of an answer already under way.
      if (!socket.writable || (pending && !pending.writableFinished && pending.headersSent)) {
        socket.destroy();
        return;
      }
      answerAndClose(socket, clientErrorBody(error, deadlines));
    };
    answerWhenDue();
  };
}

/**
 * The server's `connect` listener. CONNECT asks for a tunnel, a proxy's work; with no listener
 * Node drops the connection without a word, which a client cannot tell from a crash. Here it is
 * a 405 (no method opens a tunnel: `Allow` is empty) and the connection ends, since whatever
 * the client sends after it is meant for the tunnel, not for us.
 */
export function answerConnect(_request: IncomingMessage, socket: Duplex): void {
  answerAndClose(
    socket as Socket,
    {
      statusCode: 405,
      error: 'METHOD_NOT_ALLOWED',
      message: 'CONNECT is not served here: this server is not a proxy',
      requestId: randomUUID(),
    },
    'Allow: \r\n',
  );
}

interface HeaderProblem {
  error: string;
  message: string;
}

/** How many Host lines a request carries (Node keeps the first in `headers` and drops the rest). */
function hostLines(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index];
    if (name.length === 4 && name.toLowerCase() === 'host') {
      count += 1;
    }
  }
  return count;
}

/** What is wrong with a request's Host header, if anything (RFC 9112, section 3.2). */
function hostProblem(request: IncomingMessage): HeaderProblem | undefined {
  const lines = hostLines(request.rawHeaders);
  if (lines > 1) {
    // Two hosts are two readings of one request: a proxy and a service may each pick another.
    return { error: 'INVALID_HOST', message: `A request carries one Host header; this one has ${lines}` };
  }
  if (lines === 0 && request.httpVersionMajor === 1 && request.httpVersionMinor === 1) {
    return {
      error: 'MISSING_HOST',
      message: 'An HTTP/1.1 request needs a Host header (RFC 9112, section 3.2)',
    };
  }
  return undefined;
}

/**
 * Transfer codings other than chunked (RFC 9112, section 7). Node's parser takes them when
 * chunked comes last and then undoes the chunking alone: a body sent as `gzip, chunked` would be
 * read as if it were not compressed (and a proxy behind us might read it otherwise again).
 */
function transferCodingProblem(request: IncomingMessage): HeaderProblem | undefined {
  const header = request.headers['transfer-encoding'];
  if (header === undefined) {
    return undefined;
  }
  const others = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== 'chunked');
  if (others.length === 0) {
    return undefined;
  }
  // Named as the client wrote them, cut short as Content-Encoding's refusal does: an answer need
  // not repeat 16 kB of header.
  const named = others.join(', ');
  return {
    error: 'UNSUPPORTED_TRANSFER_ENCODING',
    message: `Transfer-Encoding ${named.length > 40 ? `${named.slice(0, 40)}...` : named} is not accepted; send the body with chunked alone or with Content-Length`,
  };
}

/** What makes a request's headers unreadable for us although Node's parser took them, if anything. */
export function headerProblem(request: IncomingMessage): HeaderProblem | undefined {
  return hostProblem(request) ?? transferCodingProblem(request);
}

/**
 * Refuses what Node's parser lets through but no one can read reliably: a request without Host
 * (HTTP/1.1 requires one) or with several, and transfer codings other than chunked. Node refuses a
 * missing Host itself, with a bare 400 that names nothing, and takes two Hosts reading the first
 * alone; the server is told not to check Host (`requireHostHeader: false`) and this hook refuses
 * all three: 400 in the one error shape, the request's id, and a connection that says it ends (the
 * body is not read, and a client that got these wrong may have framed the rest wrongly too).
 * HTTP/1.0 needs no Host and is served as before.
 */
export function refuseUnreadableHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const problem = headerProblem(request.raw);
    if (!problem) {
      done();
      return;
    }
    // The parser may still refuse the bytes after these headers (a body in a coding it cannot
    // frame): this answer is the request's only one.
    answered.add(request.raw.socket);
    const requestId = reply.getHeader('x-request-id');
    const answer: ErrorBody = {
      statusCode: 400,
      ...problem,
      requestId: typeof requestId === 'string' ? requestId : randomUUID(),
    };
    void reply.status(400).header('connection', 'close').type('application/json; charset=utf-8').send(answer);
  });
}

/**
 * The server's `checkExpectation` listener: a request whose `Expect` is anything but 100-continue.
 * Node's own answer is a 417 with no body; this one names the problem in the one error shape. The
 * request is not read (its body may follow), so the connection ends with the answer.
 */
export function answerUnmetExpectation(_request: IncomingMessage, response: ServerResponse): void {
  const answer: ErrorBody = {
    statusCode: 417,
    error: 'EXPECTATION_FAILED',
    message: 'Expect: only 100-continue is understood here; send the request without the other expectation',
    requestId: randomUUID(),
  };
  response.shouldKeepAlive = false;
  const body = JSON.stringify(answer);
  response.writeHead(417, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
