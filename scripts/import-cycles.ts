// Finds import cycles among a project's own TypeScript files: the import graph's strongly connected components.
// Type-only and dynamic imports count too, because the rule is about which module depends on which
// (docs: "no two modules import each other"), not only about what breaks at load time.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export type ImportGraph = Map<string, Set<string>>;

/** Files that import each other, directly or through others, and the imports that close the circle. */
export interface ImportCycle {
  files: string[];
  imports: Array<{ from: string; to: string }>;
}

const SOURCE_FILE = /\.(ts|tsx|mts|cts)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage']);

export function listSourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : listSourceFiles(path);
    return SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Resolves imports as the compiler does (workspace packages included); imports leaving `files` are dropped. */
export function buildImportGraph(files: string[], compilerOptions: ts.CompilerOptions): ImportGraph {
  const known = new Set(files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const imported = new Set<string>();
    for (const { fileName: specifier } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      const target = ts.resolveModuleName(specifier, file, compilerOptions, ts.sys).resolvedModule?.resolvedFileName;
      if (target !== undefined && known.has(target)) imported.add(target);
    }
    graph.set(file, imported);
  }
  return graph;
}

export function findImportCycles(graph: ImportGraph): ImportCycle[] {
  return stronglyConnectedComponents(graph)
    .filter((component) => component.length > 1 || graph.get(component[0]!)?.has(component[0]!))
    .map((component) => {
      const members = new Set(component);
      const files = [...component].sort();
      const imports = files.flatMap((from) =>
        [...(graph.get(from) ?? [])].filter((to) => members.has(to)).sort().map((to) => ({ from, to })),
      );
      return { files, imports };
    })
    .sort((a, b) => a.files[0]!.localeCompare(b.files[0]!));
}

export function formatImportCycles(cycles: ImportCycle[], rootDir: string): string {
  const name = (file: string) => relative(rootDir, file);
  return cycles
    .map((cycle, index) => {
      const imports = cycle.imports.map(({ from, to }) => `     ${name(from)} -> ${name(to)}`);
      return [`${index + 1}. ${cycle.files.length} files import each other:`, ...imports].join('\n');
    })
    .join('\n\n');
}

// Tarjan's algorithm, iterative so a deep import chain cannot overflow the stack.
function stronglyConnectedComponents(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let nextIndex = 0;

  const visit = (start: string) => {
    const work: Array<{ node: string; next: Iterator<string> }> = [];
    const enter = (node: string) => {
      index.set(node, nextIndex);
      lowLink.set(node, nextIndex);
      nextIndex += 1;
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: (graph.get(node) ?? new Set<string>()).values() });
    };
    enter(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const step = frame.next.next();
      if (!step.done) {
        const target = step.value;
        if (!index.has(target)) enter(target);
        else if (onStack.has(target)) lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) lowLink.set(parent.node, Math.min(lowLink.get(parent.node)!, lowLink.get(frame.node)!));
      if (lowLink.get(frame.node) === index.get(frame.node)) components.push(popComponent(frame.node));
    }
  };
  const popComponent = (root: string) => {
    const component: string[] = [];
    let node: string;
    do {
      node = stack.pop()!;
      onStack.delete(node);
      component.push(node);
    } while (node !== root);
    return component;
  };

  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components;
}
