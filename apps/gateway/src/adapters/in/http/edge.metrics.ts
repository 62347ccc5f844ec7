import { counter } from '@storage/observability';

export const rateLimitRefusals = counter<'route'>({
  name: 'gateway_rate_limit_refusals_total',
  help: 'Requests answered 429 by the rate limit, by route template',
  labelNames: ['route'],
});
