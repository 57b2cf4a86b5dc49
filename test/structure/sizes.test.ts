// Issue 19's size rule, outside the tests: no source file over 300 lines, no function over 60. Long files and
// functions were where the review found several jobs mixed in one place; this keeps new ones from growing back.
// Functions are read with TypeScript's own parser (every function, method, arrow and accessor body).
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FOLDERS = ['domain', 'infra', 'workflows', 'activities', 'worker', 'api', 'client', 'web/src', 'scripts', 'bench'];
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;

function sources(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

/** Every function-like node's name and length in lines (from its first to its last line). */
export function longFunctions(file: string, text: string, max: number): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > max) {
        const name = node.name && ts.isIdentifier(node.name) ? node.name.text : `(anonymous at line ${start + 1})`;
        found.push(`${file}: ${name} has ${lines} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('source files and functions stay small (issue 19)', () => {
  const files = FOLDERS.flatMap(sources);

  it(`no source file has more than ${MAX_FILE_LINES} lines`, () => {
    const long = files.map((f) => [f, lineCount(fs.readFileSync(path.join(ROOT, f), 'utf8'))] as const).filter(([, n]) => n > MAX_FILE_LINES);
    expect(long.map(([f, n]) => `${f}: ${n} lines`)).toEqual([]);
  });

  it(`no function has more than ${MAX_FUNCTION_LINES} lines`, () => {
    expect(files.flatMap((f) => longFunctions(f, fs.readFileSync(path.join(ROOT, f), 'utf8'), MAX_FUNCTION_LINES))).toEqual([]);
  });

  it('the reader finds a long function (a sanity check of the checker)', () => {
    const body = Array.from({ length: 70 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    expect(longFunctions('x.ts', `function big() {\n${body}\n}\nconst small = () => 1;\n`, MAX_FUNCTION_LINES)).toEqual(['x.ts: big has 72 lines']);
  });
});
