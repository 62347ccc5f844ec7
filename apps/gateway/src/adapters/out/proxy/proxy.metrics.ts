import { counter } from '@storage/observability';

export const heldRefusalAnswers = counter<'upstream'>({
  name: 'gateway_held_refusals_total',
  help: "503s the gateway answered itself with a service's refusal that holds for everyone (x-edge-hold-ms), by service",
  labelNames: ['upstream'],
});
