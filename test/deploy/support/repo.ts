import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');

export function repoPath(...segments: string[]): string {
  return join(ROOT, ...segments);
}

export function readRepoFile(...segments: string[]): string {
  return readFileSync(repoPath(...segments), 'utf8');
}

interface NestCliProject {
  type: 'application' | 'library';
  entryFile: string;
}

/** The deployable services: the applications of the Nest CLI monorepo (nest-cli.json). */
export function nestApplications(): Record<string, NestCliProject> {
  const cli = JSON.parse(readRepoFile('nest-cli.json')) as { projects: Record<string, NestCliProject> };
  return Object.fromEntries(
    Object.entries(cli.projects).filter(([, project]) => project.type === 'application'),
  );
}

export const APP_NAMES = Object.keys(nestApplications()).sort();
