import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Linter, type ESLint } from 'eslint';

const ROOT = join(__dirname, '../..');
// The very module eslint.config.mjs loads (CommonJS, so both can).
const plugin = createRequire(__filename)('./layer-boundaries.cjs') as ESLint.Plugin;

/** Lints `code` as if it were the file at `file` (relative to the repository) with the rule on. */
function refusals(file: string, code: string): string[] {
  const linter = new Linter({ configType: 'flat', cwd: ROOT });
  const config: Linter.Config[] = [
    { files: ['**/*.ts'], plugins: { boundaries: plugin }, rules: { 'boundaries/layers': 'error' } },
  ];
  return linter.verify(code, config, join(ROOT, file)).map((problem) => problem.message);
}

const importOf = (specifier: string) => `import { thing } from '${specifier}';\nexport const used = thing;\n`;

describe('layer boundaries (eslint rule boundaries/layers)', () => {
  it.each([
    ['apps/booking/src/domain/planted.ts', '@nestjs/common', /the domain imports only its own files/],
    ['apps/booking/src/domain/planted.ts', 'typeorm', /frameworks, ORMs, drivers and wire contracts/],
    ['apps/booking/src/domain/planted.ts', '@storage/contracts', /not '@storage\/contracts'/],
    ['apps/booking/src/domain/planted.ts', '../application/ports/actor', /not the application layer/],
    ['libs/ddd/src/planted.ts', 'class-validator', /the domain imports only/],
    [
      'apps/booking/src/application/planted/planted.handler.ts',
      '../../adapters/out/http/payment.http-client',
      /never on an adapter/,
    ],
    [
      'apps/booking/src/adapters/in/http/planted.ts',
      '../../out/persistence/booking.mapper',
      /only through an application port/,
    ],
    [
      'apps/booking/src/adapters/out/http/planted.ts',
      '../../../../../payment/src/domain',
      /apps\/booking never imports apps\/payment/,
    ],
    [
      'apps/mypage/src/main.ts',
      '../../booking/src/booking.config',
      /apps\/mypage never imports apps\/booking/,
    ],
    ['libs/messaging/src/planted.ts', '../../../apps/booking/src/domain', /a lib never imports an app/],
    ['libs/messaging/src/planted.ts', '../../persistence/src/row-statements', /through its entry point/],
    [
      'apps/payment/src/adapters/out/planted.ts',
      '../../../../../libs/persistence/src',
      /through its entry point/,
    ],
    [
      'apps/payment/src/planted.ts',
      '../../../test/support/http',
      /production code does not import tests or tools/,
    ],
  ])('refuses %s importing %s', (file, specifier, reason) => {
    const found = refusals(file, importOf(specifier));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(reason);
  });

  it('sees re-exports and dynamic imports too', () => {
    const file = 'apps/booking/src/adapters/out/planted.ts';
    expect(refusals(file, "export * from '../../../../payment/src/domain';\n")).toHaveLength(1);
    expect(refusals(file, "export { thing } from '../../../../payment/src/domain';\n")).toHaveLength(1);
    expect(
      refusals(file, "export const load = () => import('../../../../payment/src/domain');\n"),
    ).toHaveLength(1);
  });

  it.each([
    ['apps/booking/src/domain/planted.ts', '@storage/ddd'],
    ['apps/booking/src/domain/planted.ts', 'node:crypto'],
    ['apps/booking/src/domain/planted.ts', './booking.errors'],
    ['libs/ddd/src/planted.ts', './rental-period'],
    ['apps/booking/src/application/planted/planted.handler.ts', '../../domain'],
    ['apps/booking/src/application/planted/planted.handler.ts', '@nestjs/common'],
    ['apps/booking/src/adapters/in/http/planted.ts', '../../../application/ports/actor'],
    ['apps/booking/src/adapters/out/http/planted.ts', '../../../application/ports/payment-gateway.port'],
    ['apps/booking/src/main.ts', './adapters/out/http/payment.http-client'],
    ['libs/messaging/src/planted.ts', '@storage/contracts'],
    ['test/e2e/planted.e2e-spec.ts', '../../apps/booking/src/domain'],
  ])('lets %s import %s', (file, specifier) => {
    expect(refusals(file, importOf(specifier))).toEqual([]);
  });

  it.each(['apps/booking/src/domain/booking.aggregate.ts', 'libs/messaging/src/outbox.ts'])(
    "is on in the project's own lint config for %s",
    (file) => {
      const printed = execFileSync(join(ROOT, 'node_modules/.bin/eslint'), ['--print-config', file], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      const { rules } = JSON.parse(printed) as { rules: Record<string, unknown[]> };
      expect(rules['boundaries/layers']).toEqual([2]);
    },
  );
});
