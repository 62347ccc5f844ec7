/** node-postgres' own conversion of a parameter to its text form (no types of its own). */
declare module 'pg/lib/utils' {
  export function prepareValue(value: unknown): string | Buffer | null;
}
