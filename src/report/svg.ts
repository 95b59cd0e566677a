/**
 * Inline SVG charts for the HTML pages: pure functions from numbers to markup, no library,
 * no script. Every chart has a <title> per mark (tooltip) and text labels, so it reads without colour.
 */
import type { Severity } from '../../runbooks/severity.ts';
import { esc, HEALTHY_COLOUR, SEVERITY_COLOUR, UNKNOWN_COLOUR } from './page.ts';

export interface LatencyRow {
  name: string;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  samples: number;
}

const QUANTILES = [
  ['p50', '#64b5f6'],
  ['p95', '#1e88e5'],
  ['p99', '#0d47a1'],
] as const;

const fmt = (v: number) => (v >= 100 ? Math.round(v).toString() : (Math.round(v * 10) / 10).toString());

/** Grouped horizontal bars: one group per endpoint, one bar per percentile (ms). */
export function latencyChart(rows: readonly LatencyRow[]): string {
  const labelW = 230;
  const plotW = 560;
  const barH = 12;
  const groupH = QUANTILES.length * (barH + 2) + 14;
  const height = 28 + rows.length * groupH;
  const max = Math.max(1, ...rows.flatMap((r) => [r.p50 ?? 0, r.p95 ?? 0, r.p99 ?? 0]));
  const parts: string[] = [];
  parts.push(`<text x="${labelW}" y="14" font-size="11" fill="#555">latency (ms), scale 0-${fmt(max)} ms</text>`);
  QUANTILES.forEach(([q, colour], i) => {
    parts.push(`<rect x="${labelW + 250 + i * 70}" y="5" width="10" height="10" fill="${colour}"/><text x="${labelW + 264 + i * 70}" y="14" font-size="11">${q}</text>`);
  });
  rows.forEach((r, gi) => {
    const y0 = 28 + gi * groupH;
    parts.push(`<text x="0" y="${y0 + 14}" font-size="12" font-weight="600">${esc(r.name.slice(0, 34))}</text>`);
    parts.push(`<text x="0" y="${y0 + 28}" font-size="11" fill="#666">${r.samples} sample(s)</text>`);
    QUANTILES.forEach(([q, colour], i) => {
      const v = r[q];
      const y = y0 + i * (barH + 2);
      if (v === null) {
        parts.push(`<text x="${labelW + 2}" y="${y + barH - 2}" font-size="11" fill="#888">${q}: n/a (too few samples)</text>`);
        return;
      }
      const w = Math.max(1, (v / max) * plotW);
      parts.push(`<rect class="bar" x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${colour}"><title>${esc(r.name)} ${q} ${fmt(v)} ms</title></rect>`);
      parts.push(`<text x="${(labelW + w + 4).toFixed(1)}" y="${y + barH - 2}" font-size="11">${q} ${fmt(v)} ms</text>`);
    });
  });
  return `<svg class="chart latency" role="img" aria-label="latency percentiles per endpoint" viewBox="0 0 ${labelW + plotW + 90} ${height}" width="${labelW + plotW + 90}" height="${height}">${parts.join('')}</svg>`;
}

export interface TrendPoint {
  runId: string;
  startedAt: string;
  /** The verdict: healthy, findings (with severity), no-evidence, interrupted. */
  status: 'healthy' | 'findings' | 'no-evidence' | 'interrupted';
  severity: Severity | null;
  incidents: number;
  /** Slowest endpoint's p50 and p95 in that run (ms), when measured. */
  p50: number | null;
  p95: number | null;
  current?: boolean;
}

const TREND_W = 1060;
const TREND = { left: 64, right: 16, bandTop: 22, bandH: 26, plotTop: 76, plotH: 150, axisGap: 18 };

/** A round step for an axis from 0 to max with about `ticks` steps (1, 2, 2.5, 5 x 10^n). */
export function niceStep(max: number, ticks = 4): number {
  const raw = Math.max(max, 1e-9) / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
}

/**
 * Indices of the runs whose time gets a label on the x axis: evenly thinned so labels of
 * `labelW` px never overlap at `colW` px per run; the first and last runs are always labelled.
 */
export function labelledRuns(n: number, colW: number, labelW: number): number[] {
  if (n === 0) return [];
  const every = Math.max(1, Math.ceil(labelW / colW));
  const out: number[] = [];
  for (let i = 0; i < n; i += every) out.push(i);
  const last = n - 1;
  if (out.at(-1) !== last) {
    // Keep the last run's label; drop a neighbour that would overlap it.
    if (out.length > 1 && (last - out.at(-1)!) * colW < labelW) out.pop();
    out.push(last);
  }
  return out;
}

const verdictColour = (p: TrendPoint) => (p.status === 'healthy' ? HEALTHY_COLOUR : p.status === 'findings' && p.severity ? SEVERITY_COLOUR[p.severity] : UNKNOWN_COLOUR);
const verdictText = (p: TrendPoint) => (p.status === 'healthy' ? 'healthy' : p.status === 'findings' ? `${p.severity ?? ''} ${p.incidents} incident(s)` : p.status);

/**
 * The trend of an environment's observed runs, full width: a verdict band (one cell per run,
 * colour = severity, the incident count written in it when there is room) above a latency plot
 * (p50 and p95 of the slowest endpoint, labelled y axis in ms), and a time axis whose labels are
 * thinned so they never overlap. Oldest left.
 */
export function trendChart(points: readonly TrendPoint[]): string {
  const { left, right, bandTop, bandH, plotTop, plotH, axisGap } = TREND;
  const plotW = TREND_W - left - right;
  const n = Math.max(points.length, 1);
  const colW = plotW / n;
  const x = (i: number) => left + colW * i + colW / 2;
  const parts: string[] = [];
  // Verdict band.
  parts.push(`<text x="${left - 8}" y="${bandTop + bandH / 2 + 4}" font-size="11" text-anchor="end" fill="#333">verdict</text>`);
  points.forEach((p, i) => {
    const cx = left + colW * i;
    const label = `${p.startedAt.slice(0, 16).replace('T', ' ')} UTC, run ${p.runId}: ${verdictText(p)}${p.p95 !== null ? `, p95 ${fmt(p.p95)} ms` : ''}${p.p50 !== null ? `, p50 ${fmt(p.p50)} ms` : ''}`;
    parts.push(`<rect class="run ${p.status}${p.current ? ' current' : ''}" x="${(cx + 1).toFixed(1)}" y="${bandTop}" width="${Math.max(1, colW - 2).toFixed(1)}" height="${bandH}" fill="${verdictColour(p)}"${p.current ? ' stroke="#000" stroke-width="2"' : ''}><title>${esc(label)}</title></rect>`);
    const text = p.status === 'findings' ? String(p.incidents) : p.status === 'healthy' ? 'ok' : '?';
    if (colW >= 16) parts.push(`<text x="${x(i).toFixed(1)}" y="${bandTop + bandH / 2 + 4}" font-size="11" font-weight="600" text-anchor="middle" fill="#fff">${text}</text>`);
  });
  // Latency plot with a labelled y axis.
  const values = points.flatMap((p) => [p.p50, p.p95]).filter((v): v is number => v !== null);
  const step = niceStep(Math.max(1, ...values));
  const top = step * Math.max(1, Math.ceil(Math.max(1, ...values) / step));
  const y = (v: number) => plotTop + plotH - (v / top) * plotH;
  for (let v = 0; v <= top + 1e-9; v += step) {
    parts.push(`<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${left + plotW}" y2="${y(v).toFixed(1)}" stroke="${v === 0 ? '#888' : '#e3e6ea'}"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="#555">${fmt(v)}</text>`);
  }
  parts.push(`<text transform="translate(14 ${plotTop + plotH / 2}) rotate(-90)" font-size="11" text-anchor="middle" fill="#333">latency (ms)</text>`);
  for (const [key, colour] of [['p50', '#64b5f6'], ['p95', '#0d47a1']] as const) {
    const pts = points.map((p, i) => (p[key] === null ? null : `${x(i).toFixed(1)},${y(p[key]!).toFixed(1)}`));
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) parts.push(`<polyline class="line ${key}" points="${run.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
      run = [];
    };
    for (const pt of pts) {
      if (pt === null) flush();
      else run.push(pt);
    }
    flush();
    pts.forEach((pt) => {
      if (!pt) return;
      const [cx, cy] = pt.split(',');
      parts.push(`<circle class="point ${key}" cx="${cx}" cy="${cy}" r="3" fill="${colour}"/>`);
    });
  }
  if (!values.length) parts.push(`<text x="${left + plotW / 2}" y="${plotTop + plotH / 2}" font-size="12" text-anchor="middle" fill="#888">no latency measured in these runs</text>`);
  // Time axis: labels thinned so they never overlap.
  const sameDay = points.every((p) => p.startedAt.slice(0, 10) === points[0]?.startedAt.slice(0, 10));
  const labelW = sameDay ? 40 : 78;
  const axisY = plotTop + plotH + axisGap;
  for (const i of labelledRuns(points.length, colW, labelW + 8)) {
    const p = points[i]!;
    const text = sameDay ? p.startedAt.slice(11, 16) : `${p.startedAt.slice(5, 10)} ${p.startedAt.slice(11, 16)}`;
    const anchor = points.length === 1 ? 'middle' : i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle';
    const tx = anchor === 'start' ? left + colW * i + 1 : anchor === 'end' ? left + colW * (i + 1) - 1 : x(i);
    parts.push(`<line x1="${x(i).toFixed(1)}" y1="${plotTop + plotH}" x2="${x(i).toFixed(1)}" y2="${plotTop + plotH + 4}" stroke="#888"/>`);
    parts.push(`<text class="time" x="${tx.toFixed(1)}" y="${axisY}" font-size="11" text-anchor="${anchor}" fill="#555">${esc(text)}</text>`);
  }
  const day = points[0]?.startedAt.slice(0, 10) ?? '';
  parts.push(`<text x="${left + plotW / 2}" y="${axisY + 18}" font-size="11" text-anchor="middle" fill="#333">run start (UTC${sameDay && day ? `, ${day}` : ''}), oldest left</text>`);
  // Legend.
  const legend: [string, string][] = [['p50', '#64b5f6'], ['p95', '#0d47a1']];
  legend.forEach(([k, c], i) => {
    const lx = left + plotW - 150 + i * 70;
    parts.push(`<line x1="${lx}" y1="${plotTop - 10}" x2="${lx + 18}" y2="${plotTop - 10}" stroke="${c}" stroke-width="3"/><text x="${lx + 22}" y="${plotTop - 6}" font-size="11">${k}</text>`);
  });
  parts.push(`<text x="${left}" y="${plotTop - 6}" font-size="11" fill="#555">slowest endpoint per run</text>`);
  parts.push(`<text x="${left}" y="${bandTop - 6}" font-size="11" fill="#555">verdict per run (number = incidents)</text>`);
  const height = axisY + 28;
  return `<svg class="chart trend" role="img" aria-label="trend of the last ${points.length} observed runs" viewBox="0 0 ${TREND_W} ${height}" preserveAspectRatio="xMinYMin meet" style="width:100%;height:auto">${parts.join('')}</svg>`;
}

export interface TimelineEntry {
  at: string;
  status: 'passed' | 'failed' | 'skipped' | 'flaky';
  severity: Severity | null;
}

/** A 24-hour strip for one check: one mark per run at its time; colour = outcome. */
export function timelineStrip(entries: readonly TimelineEntry[], now: Date, hours = 24): string {
  const width = 480;
  const height = 22;
  const from = now.getTime() - hours * 3600_000;
  const parts: string[] = [`<rect x="0" y="4" width="${width}" height="14" fill="#eceff1"/>`];
  for (let h = 0; h <= hours; h += 6) parts.push(`<line x1="${(h / hours) * width}" y1="2" x2="${(h / hours) * width}" y2="20" stroke="#cfd8dc"/>`);
  for (const e of entries) {
    const t = Date.parse(e.at);
    if (!Number.isFinite(t) || t < from || t > now.getTime()) continue;
    const x = ((t - from) / (hours * 3600_000)) * width;
    const colour = e.status === 'failed' ? SEVERITY_COLOUR[e.severity ?? 'SEV-3'] : e.status === 'passed' ? HEALTHY_COLOUR : e.status === 'flaky' ? '#f9a825' : UNKNOWN_COLOUR;
    parts.push(`<rect class="mark ${e.status}" x="${Math.min(width - 3, x).toFixed(1)}" y="4" width="3" height="14" fill="${colour}"><title>${esc(`${e.at.slice(0, 16).replace('T', ' ')} UTC ${e.status}${e.severity ? ` ${e.severity}` : ''}`)}</title></rect>`);
  }
  return `<svg class="timeline" role="img" aria-label="last ${hours} hours" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** The last `n` outcomes of a check as squares, oldest left: readable when runs are minutes apart. */
export function recentRuns(entries: readonly TimelineEntry[], n = 12): string {
  const size = 12;
  const last = entries.slice(-n);
  const parts = last.map((e, i) => {
    const colour = e.status === 'failed' ? SEVERITY_COLOUR[e.severity ?? 'SEV-3'] : e.status === 'passed' ? HEALTHY_COLOUR : e.status === 'flaky' ? '#f9a825' : UNKNOWN_COLOUR;
    return `<rect class="run ${e.status}" x="${i * (size + 3)}" y="1" width="${size}" height="${size}" rx="2" fill="${colour}"><title>${esc(`${e.at.slice(0, 19).replace('T', ' ')} UTC ${e.status}${e.severity ? ` ${e.severity}` : ''}`)}</title></rect>`;
  });
  const width = Math.max(1, n * (size + 3));
  return `<svg class="recent" role="img" aria-label="last ${last.length} runs" viewBox="0 0 ${width} ${size + 2}" width="${width}" height="${size + 2}">${parts.join('')}</svg>`;
}
