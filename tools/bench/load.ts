/**
 * Load the way customers make it: bookings POSTed through the gateway with their own JWTs, far
 * in the future so units never run out. Closed loop (N clients, each sends its next booking when
 * the last one is answered) and open loop (a fixed arrival rate, whatever the answers do).
 */
import { randomInt } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';

export interface Answer {
  status: number;
  ms: number;
  /** ms since the phase started, when the request was sent. */
  sentAt: number;
  retryAfter?: string;
  bookingId?: string;
  /** A 503's `details.cause`: why payment was not asked (at the door) or did not answer. */
  cause?: string;
  /** No answer at all: a reset, a refused connection or the client's own deadline. */
  failure?: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 512 });

/** A far-future period (2300 onwards, 200,000 possible start days): units never run out. */
export function farPeriod(days = 5): { startDate: string; endDate: string } {
  const start = Date.UTC(2300, 0, 1) + randomInt(0, 200_000) * 86_400_000;
  return {
    startDate: new Date(start).toISOString().slice(0, 10),
    endDate: new Date(start + days * 86_400_000).toISOString().slice(0, 10),
  };
}

export interface Target {
  gatewayUrl: string;
  /** Customer tokens; request i uses token i mod length. */
  tokens: readonly string[];
  /** The client gives up on an answer after this long (a timeout counts as unanswered). */
  timeoutMs: number;
}

/** One booking request through the gateway. Never throws: failures are part of the result. */
export function placeBooking(target: Target, index: number, phaseStart: number): Promise<Answer> {
  const { hostname, port } = new URL(target.gatewayUrl);
  const sizes = ['S', 'M', 'L'] as const;
  const body = JSON.stringify({ size: sizes[index % 3], ...farPeriod() });
  const sentAt = performance.now();
  return new Promise((resolve) => {
    const finish = (answer: Omit<Answer, 'ms' | 'sentAt'>) =>
      resolve({ ...answer, ms: performance.now() - sentAt, sentAt: sentAt - phaseStart });
    const outgoing = httpRequest(
      {
        host: hostname,
        port,
        method: 'POST',
        path: '/api/bookings',
        agent,
        headers: {
          authorization: `Bearer ${target.tokens[index % target.tokens.length]}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', (error) => finish({ status: 0, failure: error.message }));
        incoming.on('end', () => {
          let bookingId: string | undefined;
          let cause: string | undefined;
          if (incoming.statusCode === 201 || incoming.statusCode === 503) {
            try {
              const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
                id?: string;
                details?: { cause?: string };
              };
              bookingId = incoming.statusCode === 201 ? answer.id : undefined;
              cause = answer.details?.cause;
            } catch {
              // Counted as accepted without an id: the settle check will notice.
            }
          }
          const retryAfter = incoming.headers['retry-after'];
          finish({ status: incoming.statusCode ?? 0, bookingId, retryAfter, cause });
        });
      },
    );
    outgoing.setTimeout(target.timeoutMs, () =>
      outgoing.destroy(new Error(`no answer in ${target.timeoutMs} ms`)),
    );
    outgoing.on('error', (error) => finish({ status: 0, failure: error.message }));
    outgoing.end(body);
  });
}

/** `clients` customers each booking, one after the other, until `count` are sent or time is up. */
export async function closedLoop(
  target: Target,
  options: {
    clients: number;
    count?: number;
    durationMs?: number;
    onProgress?: (done: number) => void;
    /** Wait as long as a 503's Retry-After says before the next booking, as a well-behaved client does. */
    honourRetryAfter?: boolean;
  },
): Promise<{ answers: Answer[]; elapsedMs: number }> {
  const answers: Answer[] = [];
  const started = performance.now();
  const deadline = options.durationMs === undefined ? Infinity : started + options.durationMs;
  const count = options.count ?? Infinity;
  let next = 0;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (next < count && performance.now() < deadline) {
        const index = next++;
        const answer = await placeBooking(target, index, started);
        answers.push(answer);
        options.onProgress?.(answers.length);
        const retryAfterMs = Number(answer.retryAfter) * 1000;
        if (options.honourRetryAfter && answer.status === 503 && retryAfterMs > 0) {
          await new Promise((resolve) =>
            setTimeout(resolve, Math.min(retryAfterMs, deadline - performance.now())),
          );
        }
      }
    }),
  );
  return { answers, elapsedMs: performance.now() - started };
}

/** Requests sent at a fixed rate for `durationMs`, answered or not; then waits for the answers. */
export async function openLoop(
  target: Target,
  options: { ratePerS: number; durationMs: number },
): Promise<{ answers: Answer[]; elapsedMs: number }> {
  const started = performance.now();
  const total = Math.round((options.ratePerS * options.durationMs) / 1000);
  const pending: Promise<Answer>[] = [];
  for (let index = 0; index < total; index += 1) {
    // Each request at its scheduled instant (no drift): sleep only until then.
    const due = started + (index * 1000) / options.ratePerS;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(placeBooking(target, index, started));
  }
  const answers = await Promise.all(pending);
  return { answers, elapsedMs: performance.now() - started };
}
