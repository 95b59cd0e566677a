/**
 * GitHub Actions output of `gate`: workflow-command escaping and the job summary file. The text
 * itself is built in src/gate/verdict.ts from the scrubbed report.
 */
import fs from 'node:fs';

/** Escapes a workflow command's message (GitHub: %, CR and LF are encoded). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value (also `:` and `,`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error title=...::message` (level error, warning or notice). */
export function workflowCommand(level: 'error' | 'warning' | 'notice', title: string, message: string): string {
  return `::${level} title=${escapeProperty(title)}::${escapeData(message)}`;
}

/** Appends Markdown to $GITHUB_STEP_SUMMARY; a failure to write is logged, never a gate failure. */
export function appendStepSummary(file: string, markdown: string, log: (line: string) => void): void {
  try {
    fs.appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  } catch (e) {
    log(`gate: cannot write the job summary to ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
