// One line per target a bench checks, collected by bench/index.ts into the closing met / missed table.
export interface TargetRow {
  bench: string;
  what: string;
  value: string;
  target: string;
  met: boolean;
}

export function summaryRow(bench: string, what: string, value: string, target: string, met: boolean): TargetRow {
  return { bench, what, value, target, met };
}

/** The table printed at the end of `npm run bench`: every target, its figure, met or MISSED. */
export function printSummary(rows: TargetRow[]): void {
  if (rows.length === 0) return;
  const w = (k: keyof TargetRow) => Math.max(k.length, ...rows.map((r) => String(r[k]).length));
  const cols: Array<keyof TargetRow> = ['bench', 'what', 'value', 'target'];
  const widths = cols.map(w);
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log('\nsummary');
  console.log(`  ${line(cols.map(String))}  result`);
  for (const r of rows) console.log(`  ${line(cols.map((c) => String(r[c])))}  ${r.met ? 'met' : 'MISSED'}`);
  const missed = rows.filter((r) => !r.met).length;
  console.log(`  ${rows.length - missed} met, ${missed} missed`);
}
