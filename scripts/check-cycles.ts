// `npm run lint:cycles`: fails when files in apps/api, apps/admin or packages/* import each other in a circle.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { buildImportGraph, findImportCycles, formatImportCycles, listSourceFiles } from './import-cycles.ts';

const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceRoots(): string[] {
  const packages = readdirSync(join(rootDir, 'packages')).map((name) => join(rootDir, 'packages', name, 'src'));
  return [join(rootDir, 'apps/api/src'), join(rootDir, 'apps/admin/src'), ...packages].filter((dir) => existsSync(dir));
}

// The shared base config: the same module resolution (Bundler, `.ts` extensions) for every workspace.
function compilerOptions(): ts.CompilerOptions {
  const configPath = join(rootDir, 'tsconfig.base.json');
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config, ts.sys, rootDir, undefined, configPath).options;
}

const files = sourceRoots().flatMap(listSourceFiles);
const cycles = findImportCycles(buildImportGraph(files, compilerOptions()));
if (cycles.length === 0) {
  console.log(`No import cycles among ${files.length} files.`);
} else {
  console.error(`${cycles.length} import cycles among ${files.length} files (apps/api, apps/admin, packages/*):\n`);
  console.error(formatImportCycles(cycles, rootDir));
  console.error('\nMove what both sides need down into a module neither imports (docs/architecture.md, layers).');
  process.exitCode = 1;
}
