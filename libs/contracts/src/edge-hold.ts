/**
 * The service -> gateway HTTP contract for a refusal that holds for everyone (owned by the gateway,
 * additive only). A service's 503 carrying `x-edge-hold-ms: N` says: for the next N ms, every
 * request of this method and path without an Idempotency-Key would get this same answer (booking
 * while payment's circuit is open or every payment slot is taken). The gateway may then answer
 * such requests itself, with the service's answer, its own request id and a Retry-After that
 * points at the same moment; the service is spared the refusals it would have answered anyway.
 * Requests with an Idempotency-Key always reach the service: they may be replays it answers from
 * its records. The header ends at the gateway; clients never see it.
 */
export const EDGE_HOLD_HEADER = 'x-edge-hold-ms';
