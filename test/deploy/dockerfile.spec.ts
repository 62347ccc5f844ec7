/**
 * The Dockerfile, parsed with dockerfile-ast (no Docker engine here): multi-stage, production
 * dependencies only in the final image, one app per image chosen by ARG APP, a non-root user,
 * an init process for signals, and a build context that holds what the build reads and nothing else.
 */
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { isInBuildContext, parseDockerignore } from './support/dockerignore';
import { APP_NAMES, nestApplications, readRepoFile } from './support/repo';
import { productionPackages, runtimeImports } from './support/runtime-imports';
import { SERVICE_HEAP_FLAGS, SERVICE_MALLOC_ENV } from '../../tools/stack/services';

interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

const dockerfile = DockerfileParser.parse(readRepoFile('Dockerfile'));
const text = (instruction: Instruction) => instruction.getRawArgumentsContent() ?? '';

/** Instructions grouped by build stage, in order. */
const stages: Stage[] = [];
for (const instruction of dockerfile.getInstructions()) {
  if (instruction.getKeyword() === 'FROM') {
    const [image, as, name] = instruction.getArguments().map((argument) => argument.getValue());
    if (as?.toUpperCase() !== 'AS' || !name) {
      throw new Error(`Every stage is named (FROM <image> AS <name>): ${text(instruction)}`);
    }
    stages.push({ name, image, instructions: [] });
  } else if (stages.length > 0) {
    stages[stages.length - 1].instructions.push(instruction);
  }
}
const finalStage = stages[stages.length - 1];

const ofKeyword = (stage: Stage, keyword: string) =>
  stage.instructions.filter((instruction) => instruction.getKeyword() === keyword);
/** The value of a flag such as --from=deps (flags are not part of the arguments). */
const flag = (instruction: Instruction, name: string) =>
  instruction.toString().match(new RegExp(`^\\S+(?:\\s+--[\\w-]+=\\S+)*\\s+--${name}=(\\S+)`))?.[1];
/** COPY sources and destination. */
const copyArguments = (instruction: Instruction) =>
  instruction.getArguments().map((argument) => argument.getValue());

describe('Dockerfile', () => {
  it('is multi-stage, with named stages and a runtime stage last', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages.every((stage) => stage.name)).toBe(true);
    expect(finalStage.name).toBe('runtime');
  });

  it('builds on a supported Node LTS (22 or 24) that the engines field allows, slim images', () => {
    const nodeVersion = dockerfile
      .getInitialARGs()
      .map((arg) => text(arg))
      .find((arg) => arg.startsWith('NODE_VERSION='));
    expect(nodeVersion).toMatch(/^NODE_VERSION=(22|24)(\.\d+)*$/);
    const engines = (JSON.parse(readRepoFile('package.json')) as { engines: { node: string } }).engines.node;
    const [, minimumMajor] = /^>=(\d+)/.exec(engines) ?? [];
    expect(Number(minimumMajor)).toBeLessThanOrEqual(Number(/=(\d+)/.exec(nodeVersion ?? '')?.[1]));
    for (const stage of stages.filter((candidate) => candidate.image.startsWith('node:'))) {
      expect(stage.image).toBe('node:${NODE_VERSION}-bookworm-slim');
    }
  });

  it('compiles with npm ci and npm run build, and installs production dependencies with --omit=dev', () => {
    const runs = stages.flatMap((stage) =>
      ofKeyword(stage, 'RUN').map((run) => ({ stage: stage.name, command: text(run) })),
    );
    const build = runs.find((run) => /\bnpm run build\b/.test(run.command));
    expect(build).toBeDefined();
    expect(runs).toContainEqual({
      stage: build?.stage,
      command: expect.stringMatching(/\bnpm ci\b/) as unknown,
    });
    const production = runs.filter((run) => /\bnpm ci\b.*--omit=dev/.test(run.command));
    expect(production).toHaveLength(1);
    // The runtime gets node_modules from the production install only, never from the build stage.
    const nodeModules = ofKeyword(finalStage, 'COPY').filter((copy) =>
      copyArguments(copy)[0].endsWith('/node_modules'),
    );
    expect(nodeModules.map((copy) => flag(copy, 'from'))).toEqual([production[0].stage]);
  });

  it('installs no dev tooling in the runtime stage', () => {
    for (const run of ofKeyword(finalStage, 'RUN')) {
      expect(text(run)).not.toMatch(/\bnpm (ci|install|i)\b/);
    }
  });

  it('selects the app with ARG APP, copies only its compiled code and runs dist/apps/${APP}/src/main.js', () => {
    expect(ofKeyword(finalStage, 'ARG').map(text)).toContain('APP');
    const appCopy = ofKeyword(finalStage, 'COPY').find((copy) =>
      copyArguments(copy)[0].includes('dist/apps'),
    );
    expect(appCopy && copyArguments(appCopy)).toEqual(['/app/dist/apps/${APP}', './dist/apps/${APP}']);
    const [cmd] = ofKeyword(finalStage, 'CMD');
    const command = JSON.parse(text(cmd)) as string[];
    expect(command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    // `exec` replaces the shell, so the signal from the init process reaches node itself.
    expect(command[2]).toMatch(/^exec node (--[\w-]+ )*dist\/apps\/\$\{APP\}\/src\/main\.js$/);
  });

  it('runs the entry file the Nest CLI declares for every app', () => {
    const [cmd] = ofKeyword(finalStage, 'CMD');
    const command = (JSON.parse(text(cmd)) as string[])[2];
    for (const [app, project] of Object.entries(nestApplications())) {
      expect(command.replaceAll('${APP}', app)).toContain(`dist/${project.entryFile}.js`);
    }
    expect(APP_NAMES).toEqual(['booking', 'gateway', 'mypage', 'payment', 'storage-assign']);
  });

  it('fails the build for a missing or unknown APP instead of building an image of every app', () => {
    const guard = ofKeyword(finalStage, 'RUN').find((run) => text(run).includes('test -n "${APP}"'));
    expect(guard && text(guard)).toMatch(/test -f "\/tmp\/apps\/\$\{APP\}\/src\/main\.js"/);
    const guardIndex = finalStage.instructions.indexOf(guard as Instruction);
    const copyIndex = finalStage.instructions.findIndex((instruction) =>
      text(instruction).includes('dist/apps/${APP}'),
    );
    expect(guardIndex).toBeGreaterThan(-1);
    expect(guardIndex).toBeLessThan(copyIndex);
  });

  it('runs as a numeric non-root user in the final stage', () => {
    const users = ofKeyword(finalStage, 'USER').map(text);
    expect(users).toHaveLength(1);
    const [user, group] = users[0].split(':');
    // Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
    expect(user).toMatch(/^\d+$/);
    expect(Number(user)).toBeGreaterThan(0);
    expect(Number(group ?? user)).toBeGreaterThan(0);
    // Nothing after USER switches back to root.
    const userIndex = finalStage.instructions.findIndex((instruction) => instruction.getKeyword() === 'USER');
    expect(
      finalStage.instructions.slice(userIndex).filter((instruction) => instruction.getKeyword() === 'RUN'),
    ).toEqual([]);
  });

  it('has an init process as PID 1 that forwards SIGTERM to node', () => {
    const [entrypoint] = ofKeyword(finalStage, 'ENTRYPOINT');
    expect(JSON.parse(text(entrypoint))).toEqual(['/usr/bin/tini', '--']);
    expect(ofKeyword(finalStage, 'RUN').some((run) => /apt-get install .*\btini\b/.test(text(run)))).toBe(
      true,
    );
    expect(ofKeyword(finalStage, 'STOPSIGNAL')).toEqual([]);
  });

  it('sets NODE_ENV=production in the runtime image', () => {
    expect(ofKeyword(finalStage, 'ENV').map(text)).toContain('NODE_ENV=production');
  });

  it('limits the heap as the local stack does (overridable through NODE_OPTIONS)', () => {
    expect(ofKeyword(finalStage, 'ENV').map(text)).toContain(
      `NODE_OPTIONS="${SERVICE_HEAP_FLAGS.join(' ')}"`,
    );
  });

  it('limits malloc arenas as the local stack does', () => {
    const envs = ofKeyword(finalStage, 'ENV').map(text);
    for (const [name, value] of Object.entries(SERVICE_MALLOC_ENV)) {
      expect(envs).toContain(`${name}=${value}`);
    }
  });
});

describe('build context (.dockerignore)', () => {
  const rules = parseDockerignore(readRepoFile('.dockerignore'));

  it('sends every file the Dockerfile copies from the context', () => {
    const fromContext = stages
      .flatMap((stage) => ofKeyword(stage, 'COPY'))
      .filter((copy) => flag(copy, 'from') === undefined)
      .flatMap((copy) => copyArguments(copy).slice(0, -1));
    expect(fromContext.length).toBeGreaterThan(0);
    for (const source of fromContext) {
      expect({ source, sent: isInBuildContext(rules, source) }).toEqual({ source, sent: true });
    }
    // What tsconfig.build.json compiles is in the context and copied.
    const { include } = JSON.parse(readRepoFile('tsconfig.build.json')) as { include: string[] };
    for (const pattern of include) {
      const folder = pattern.split('/')[0];
      expect(fromContext).toContain(folder);
      expect(isInBuildContext(rules, `${folder}/payment/src/main.ts`)).toBe(true);
    }
  });

  it.each([
    'node_modules/typeorm/index.js',
    'dist/apps/booking/src/main.js',
    '.data/dev/postgres/PG_VERSION',
    '.cache/helm/helm',
    '.git/HEAD',
    '.env',
    'apps/booking/node_modules/x/index.js',
    'apps/booking/src/domain/booking.spec.ts',
    'libs/messaging/src/outbox.int-spec.ts',
    'test/e2e/booking.e2e-spec.ts',
    'helm/storage-rental/values.yaml',
    'docker-compose.yml',
  ])('keeps %s out of the context', (path) => {
    expect(isInBuildContext(rules, path)).toBe(false);
  });
});

describe.each(APP_NAMES)('the %s image', (app) => {
  // The image holds dist/apps/<app>, dist/libs and the production node_modules, nothing else.
  const imports = runtimeImports(app);

  it('holds every file the service loads (its own folder and the shared libraries)', () => {
    expect(imports.problems).toEqual([]);
    expect(imports.files).toContain(`apps/${app}/src/main.ts`);
    expect(imports.files.some((file) => file.startsWith('libs/'))).toBe(true);
  });

  it('loads only packages that the production install (npm ci --omit=dev) provides', () => {
    const installed = productionPackages();
    expect(imports.packages.length).toBeGreaterThan(0);
    expect(imports.packages.filter((name) => !installed.has(name))).toEqual([]);
  });
});
