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
  severity: Severity | null;
  findings: number;
  /** Median latency of the first endpoint measured in that run, when any. */
  p50: number | null;
  current?: boolean;
}

/** One column per run (height = findings, colour = verdict) and a line of p50 latency. */
export function trendChart(points: readonly TrendPoint[]): string {
  const colW = 28;
  const plotH = 110;
  const left = 34;
  const width = left + Math.max(points.length, 1) * colW + 40;
  const height = plotH + 46;
  const maxF = Math.max(1, ...points.map((p) => p.findings));
  const lat = points.map((p) => p.p50).filter((v): v is number => v !== null);
  const maxL = Math.max(1, ...lat);
  const parts: string[] = [];
  parts.push(`<line x1="${left}" y1="${plotH + 10}" x2="${width - 30}" y2="${plotH + 10}" stroke="#999"/>`);
  parts.push(`<text x="0" y="18" font-size="10" fill="#555">${maxF}</text><text x="0" y="${plotH + 12}" font-size="10" fill="#555">0</text>`);
  const line: string[] = [];
  points.forEach((p, i) => {
    const x = left + i * colW + 4;
    const h = p.findings === 0 ? 6 : Math.max(6, (p.findings / maxF) * (plotH - 10));
    const colour = p.severity ? SEVERITY_COLOUR[p.severity] : p.findings === 0 ? HEALTHY_COLOUR : UNKNOWN_COLOUR;
    const label = `${p.startedAt.slice(0, 16).replace('T', ' ')} UTC: ${p.severity ? `${p.severity}, ${p.findings} finding(s)` : 'healthy'}${p.p50 !== null ? `, p50 ${fmt(p.p50)} ms` : ''}`;
    parts.push(`<rect class="run${p.current ? ' current' : ''}" x="${x}" y="${(plotH + 10 - h).toFixed(1)}" width="${colW - 8}" height="${h.toFixed(1)}" fill="${colour}"${p.current ? ' stroke="#000" stroke-width="2"' : ''}><title>${esc(label)}</title></rect>`);
    parts.push(`<text x="${x + (colW - 8) / 2}" y="${plotH + 24}" font-size="9" text-anchor="middle" fill="#555">${esc(p.startedAt.slice(11, 16))}</text>`);
    if (p.p50 !== null) line.push(`${x + (colW - 8) / 2},${(plotH + 10 - (p.p50 / maxL) * (plotH - 10)).toFixed(1)}`);
  });
  if (line.length > 1) parts.push(`<polyline points="${line.join(' ')}" fill="none" stroke="#1e88e5" stroke-width="2"/>`);
  for (const pt of line) {
    const [cx, cy] = pt.split(',');
    parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="#1e88e5"/>`);
  }
  parts.push(`<text x="${left}" y="${plotH + 40}" font-size="10" fill="#555">columns: findings per run (colour = verdict); line: p50 latency (max ${fmt(maxL)} ms)</text>`);
  return `<svg class="chart trend" role="img" aria-label="trend of the last runs" viewBox="0 0 ${Math.max(width, 420)} ${height}" width="${Math.max(width, 420)}" height="${height}">${parts.join('')}</svg>`;
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
