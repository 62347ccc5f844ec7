import { counter } from '@storage/observability';

export const repairs = counter<'job'>({
  name: 'reconciliation_repairs_total',
  help: 'Records a reconciliation job repaired (a saga step redriven, a stale payment settled, ...)',
  labelNames: ['job'],
});
export const failedRuns = counter<'job'>({
  name: 'reconciliation_failed_runs_total',
  help: 'Reconciliation runs that failed (the next run retries)',
  labelNames: ['job'],
});
