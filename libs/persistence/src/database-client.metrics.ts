import { counter } from '@storage/observability';

/**
 * Every ReadyForQuery ends a round trip (a Sync or a simple query): what statements sent together
 * save, which Postgres' own statement counts cannot show.
 */
export const databaseRoundTrips = counter({
  name: 'db_client_round_trips_total',
  help: 'Round trips to Postgres over the pooled connections (ReadyForQuery answers received)',
});
