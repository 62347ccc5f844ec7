/**
 * SQL condition on a storage unit `u`: free for [start, end), i.e. in service from the start day
 * (AVAILABLE, or its maintenance window over by then: StorageUnit.inServiceFrom) and no active
 * assignment overlapping the period. `start` and `end` are the query's parameter placeholders.
 * The one definition shared by claiming a unit and by showing availability.
 */
export const freeFor = (start: string, end: string) => `
  (u.status = 'AVAILABLE' OR (u.status = 'MAINTENANCE' AND u.maintenance_until <= ${start}::date))
  AND NOT EXISTS (
    SELECT 1 FROM assignment a
    WHERE a.unit_id = u.id AND a.status = 'ACTIVE' AND a.period && daterange(${start}::date, ${end}::date, '[)')
  )`;
