/** A service's database on a Postgres server given by URL (kept apart from the server launcher). */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
