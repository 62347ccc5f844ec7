// @ts-check
/**
 * The hexagon's import rules, enforced by `npm run lint` (and so by `npm test`) instead of hoped
 * for. Plain CommonJS so that eslint.config.mjs and the rule's own jest spec load the same file.
 *
 *   domain (apps/x/src/domain, libs/ddd)  imports its own folder, @storage/ddd and node: built-ins
 *                                         only: no framework, ORM, driver or wire contract
 *   application                           never imports an adapter (it owns the ports)
 *   adapters/in                           never imports adapters/out (it goes through a port)
 *   an app                                never imports another app (shared code is a lib)
 *   a lib                                 never imports an app
 */
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const DOMAIN_PACKAGES = new Set(['@storage/ddd']);

/**
 * @typedef {{ kind: 'app', app: string, layer: 'domain' | 'application' | 'adapters/in' | 'adapters/out' | 'wiring' }
 *   | { kind: 'lib', lib: string }} Place
 */

/**
 * Where a file sits in the architecture, from its path relative to the repository root; null for
 * files outside apps/ and libs/ (tests, tools), which may import anything.
 * @param {string} relative
 * @returns {Place | null}
 */
function placeOf(relative) {
  const parts = relative.split(path.sep).join('/').split('/');
  if (parts[0] === 'libs' && parts.length > 2) {
    return { kind: 'lib', lib: parts[1] };
  }
  if (parts[0] !== 'apps' || parts[2] !== 'src' || parts.length < 4) {
    return null;
  }
  const app = parts[1];
  if (parts[3] === 'domain' || parts[3] === 'application') {
    return { kind: 'app', app, layer: parts[3] };
  }
  if (parts[3] === 'adapters' && (parts[4] === 'in' || parts[4] === 'out')) {
    return { kind: 'app', app, layer: `adapters/${parts[4]}` };
  }
  return { kind: 'app', app, layer: 'wiring' };
}

/**
 * Why `importer` may not import `specifier`, or null when it may.
 * @param {string} importerFile absolute path of the importing file
 * @param {string} specifier the import's module specifier
 * @returns {string | null}
 */
function violation(importerFile, specifier) {
  const importer = placeOf(path.relative(ROOT, importerFile));
  if (!importer) {
    return null;
  }
  const pure = importer.kind === 'lib' ? importer.lib === 'ddd' : importer.layer === 'domain';
  if (!specifier.startsWith('.')) {
    if (pure && !DOMAIN_PACKAGES.has(specifier) && !specifier.startsWith('node:')) {
      return `the domain imports only its own files, @storage/ddd and node: built-ins, not '${specifier}' (frameworks, ORMs, drivers and wire contracts belong to adapters)`;
    }
    return null;
  }
  const target = placeOf(path.relative(ROOT, path.resolve(path.dirname(importerFile), specifier)));
  if (!target) {
    return `'${specifier}' is outside apps/ and libs/: production code does not import tests or tools`;
  }
  if (importer.kind === 'lib') {
    if (target.kind === 'app') {
      return `a lib never imports an app ('${specifier}' is in apps/${target.app})`;
    }
    if (target.lib !== importer.lib) {
      return `import another lib through its entry point ('@storage/${target.lib}'), not '${specifier}'`;
    }
    return null;
  }
  if (target.kind === 'lib') {
    return `import a lib through its entry point ('@storage/${target.lib}'), not '${specifier}'`;
  }
  if (target.app !== importer.app) {
    return `apps/${importer.app} never imports apps/${target.app} ('${specifier}'): code two services share belongs in libs/ (contracts in @storage/contracts)`;
  }
  if (importer.layer === 'domain' && target.layer !== 'domain') {
    return `the domain imports only its own files, not the ${target.layer} layer ('${specifier}')`;
  }
  if (importer.layer === 'application' && target.layer.startsWith('adapters/')) {
    return `the application layer depends on its ports, never on an adapter ('${specifier}' is in ${target.layer})`;
  }
  if (importer.layer === 'adapters/in' && target.layer === 'adapters/out') {
    return `adapters/in reaches adapters/out only through an application port, not '${specifier}'`;
  }
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
const layers = {
  meta: {
    type: 'problem',
    docs: {
      description:
        "Enforces the hexagon's import directions between domain, application, adapters, apps and libs",
    },
    schema: [],
    messages: { refused: 'Layer boundary: {{reason}}.' },
  },
  create(context) {
    /** @param {import('estree').Node & { source?: import('estree').Expression | null }} node */
    const check = (node) => {
      const source = node.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') {
        return;
      }
      const reason = violation(context.filename, source.value);
      if (reason) {
        context.report({ node: source, messageId: 'refused', data: { reason } });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

module.exports = { rules: { layers }, violation };
