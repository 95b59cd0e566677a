/**
 * Building blocks shared by the self-contained HTML pages (triage report, status page):
 * escaping, the severity palette and one stylesheet. No external assets, no scripts.
 */
import type { Severity } from '../../runbooks/severity.ts';

/** Escapes text for HTML element content and double-quoted attributes. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export const SEVERITY_COLOUR: Record<Severity, string> = {
  'SEV-0': '#8b0000',
  'SEV-1': '#d32f2f',
  'SEV-2': '#ef6c00',
  'SEV-3': '#1565c0',
};
export const HEALTHY_COLOUR = '#2e7d32';
export const UNKNOWN_COLOUR = '#757575';

export function badge(sev: Severity | null, text?: string): string {
  const colour = sev ? SEVERITY_COLOUR[sev] : HEALTHY_COLOUR;
  return `<span class="badge" style="background:${colour}">${esc(text ?? sev ?? 'OK')}</span>`;
}

const STYLE = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;background:#f5f6f8}
main{max-width:1100px;margin:0 auto;padding:0 16px 40px}
h1{font-size:22px;margin:0}
h2{font-size:18px;margin:28px 0 10px}
h3{font-size:15px;margin:14px 0 6px}
h4{font-size:14px;margin:10px 0 4px}
a{color:#0b57d0}
.banner{color:#fff;padding:18px 16px;margin-bottom:16px}
.banner .inner{max-width:1100px;margin:0 auto}
.banner p{margin:4px 0 0;opacity:.92}
.banner a{color:#fff;text-decoration:underline}
.unlinked{font-weight:600}
.incident{background:#fff;padding:4px 0 4px 12px;margin:10px 0}
.incident p{margin:4px 0}
details.consequences,details.healthy-checks{margin:10px 0}
.meta{display:flex;flex-wrap:wrap;gap:6px 18px;color:#555;margin:8px 0 0}
.card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:12px 16px;margin:10px 0}
.card.sev{border-left-width:6px}
.badge{display:inline-block;color:#fff;border-radius:4px;padding:1px 7px;font-size:12px;font-weight:600;vertical-align:middle}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e3e6ea;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;border:1px solid #e3e6ea;border-radius:4px;padding:8px;overflow:auto;max-height:320px;white-space:pre-wrap;word-break:break-word}
ol.actions li{margin:3px 0}
.writes{color:#b71c1c;font-weight:600;font-size:12px}
.muted{color:#666}
.finding{border-top:1px dashed #dde1e6;padding-top:8px;margin-top:8px}
svg{max-width:100%;height:auto;background:#fff}
details summary{cursor:pointer}
.bar-cell{width:45%}
.bar{display:block;height:10px;background:#5c7cfa;border-radius:2px;min-width:2px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}
`;

/** A complete HTML document; `head` adds e.g. a meta refresh. */
export function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
${head}<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
