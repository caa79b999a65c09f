import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One measured figure: its value, the baseline measured in the same run it is compared to (null:
 * none), and the target it must meet, written as "<op> <number>" (">= 0.5", "< 25"; null: none).
 */
export interface Figure {
  name: string;
  value: number;
  baseline: number | null;
  unit: string;
  target: string | null;
}

/** Whether a value meets a target such as ">= 0.5" (null: no target). */
export function meets(value: number, target: string | null): boolean | null {
  if (target === null) return null;
  const m = /^(<=|>=|<|>)\s*(-?[\d.]+)$/.exec(target.trim());
  if (!m) throw new Error(`unreadable target ${target}`);
  const bound = Number(m[2]);
  return m[1] === '<' ? value < bound : m[1] === '<=' ? value <= bound : m[1] === '>' ? value > bound : value >= bound;
}

const cell = (n: number | null) => (n === null ? '-' : Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(Math.abs(n) >= 10 ? 1 : 3));

/** The table printed at the end of a run: every figure with its baseline, ratio, target and verdict. */
export function summaryTable(figures: Figure[]): string {
  const rows = figures.map((f) => {
    const met = meets(f.value, f.target);
    return [
      f.name,
      `${cell(f.value)} ${f.unit}`,
      f.baseline === null ? '-' : `${cell(f.baseline)} ${f.unit}`,
      f.baseline ? `${(f.value / f.baseline).toFixed(2)}x` : '-',
      f.target ?? '-',
      met === null ? '-' : met ? 'met' : 'NOT MET',
    ];
  });
  const head = ['figure', 'value', 'baseline', 'ratio', 'target', 'met'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Writes the figures to bench/results/<UTC date>-<commit>.json (kept out of git); returns the path. */
export function writeFigures(figures: Figure[], repoRoot: string, now = new Date()): string {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout (an unpacked release): the file is still written.
  }
  const dir = join(repoRoot, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${now.toISOString().slice(0, 10)}-${commit}.json`);
  writeFileSync(file, `${JSON.stringify({ figures }, null, 2)}\n`);
  return file;
}
