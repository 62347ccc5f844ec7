import { readFileSync } from 'node:fs';

/** What `npm test` (tools/stack/test.ts) started for the suites: real Kafka and Postgres. */
export interface StackInfo {
  brokers: string;
  postgresServerUrl: string;
  dataDir: string;
}

export function stackInfo(): StackInfo {
  const file = process.env.STACK_FILE;
  if (!file) {
    throw new Error(
      'STACK_FILE is not set: run the suites through `npm test`, or start `npm run infra` and pass its stack file',
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
}
