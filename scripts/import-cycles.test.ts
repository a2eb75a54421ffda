import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { buildImportGraph, findImportCycles, listSourceFiles } from './import-cycles.ts';

const options: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  noEmit: true,
};

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeProject(files: Record<string, string>): string {
  // realpath: the compiler resolves to real paths, and the temp dir may sit behind a symlink (macOS /var).
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'import-cycles-')));
  for (const [name, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), source);
  }
  return dir;
}

function cyclesIn(root: string) {
  return findImportCycles(buildImportGraph(listSourceFiles(root), options)).map((cycle) => ({
    files: cycle.files.map((file) => file.slice(root.length + 1)),
    imports: cycle.imports.map(({ from, to }) => `${from.slice(root.length + 1)} -> ${to.slice(root.length + 1)}`),
  }));
}

describe('import cycles', () => {
  it('two services reaching each other through a third file: one cycle, naming every import in the circle', () => {
    const root = writeProject({
      'bookings/bookings.service.ts': "import { offer } from '../waitlist/waitlist.service.ts';\nexport const book = offer;\n",
      'waitlist/waitlist.service.ts': "import type { Slot } from '../availability/slots.ts';\nexport const offer = (s: Slot) => s;\n",
      'availability/slots.ts': "export * from '../bookings/bookings.service.ts';\nexport type Slot = number;\n",
      'routes.ts': "import { book } from './bookings/bookings.service.ts';\nexport default book;\n",
    });

    expect(cyclesIn(root)).toEqual([
      {
        files: ['availability/slots.ts', 'bookings/bookings.service.ts', 'waitlist/waitlist.service.ts'],
        imports: [
          'availability/slots.ts -> bookings/bookings.service.ts',
          'bookings/bookings.service.ts -> waitlist/waitlist.service.ts',
          'waitlist/waitlist.service.ts -> availability/slots.ts',
        ],
      },
    ]);
  });

  it('a lazily loaded page importing its props type back from the navigation is a cycle', () => {
    const root = writeProject({
      'shell/navigation.ts': "export type PageProps = { id: string };\nexport const page = () => import('../pages/Page.tsx');\n",
      'pages/Page.tsx': "import type { PageProps } from '../shell/navigation.ts';\nexport default (p: PageProps) => p.id;\n",
    });

    expect(cyclesIn(root).map((cycle) => cycle.files)).toEqual([['pages/Page.tsx', 'shell/navigation.ts']]);
  });

  it('imports that all point one way (features down to a core): no cycle', () => {
    const root = writeProject({
      'core/catalogue.ts': 'export const catalogue = 1;\n',
      'bookings/bookings.service.ts': "import { catalogue } from '../core/catalogue.ts';\nexport const b = catalogue;\n",
      'sites/sites.service.ts': "import { catalogue } from '../core/catalogue.ts';\nimport { b } from '../bookings/bookings.service.ts';\nexport const s = catalogue + b;\n",
    });

    expect(cyclesIn(root)).toEqual([]);
  });
});
