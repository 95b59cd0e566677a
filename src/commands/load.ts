/**
 * `credlink-checks load --env E --scenario S`: a k6 load scenario from load/ against an
 * environment, its failed thresholds mapped to runbook sections and severities.
 * Refuses production (by name or CREDLINK_PRODUCTION) before anything else unless
 * --allow-production; without k6 on PATH it says how to get it (exit 3).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse, type Command } from './contract.ts';
import { processFacts } from '../../config/index.ts';
import { atLeast } from '../../runbooks/severity.ts';
import { EnvironmentError, EXIT, RefusedError, UsageError } from '../errors.ts';
import { findOnPath, isScenario, K6_INSTALL_HINT, runK6, SCENARIOS, scenarioFile } from '../load/k6.ts';
import { findingsFromSummary, k6Outcome, k6SummarySchema } from '../load/summary.ts';
import { startEmbedded, type EmbeddedStack } from '../run/embedded.ts';
import { newRunId, runDirFor } from '../run/paths.ts';
import { probeSettings } from '../perf/probe-run.ts';
import { Scrubber } from '../secrets/scrub.ts';
import { configFrom, failOnFrom } from './common.ts';
import { commonOptions } from './options.ts';

const options = {
  env: commonOptions.env,
  'env-file': commonOptions['env-file'],
  scenario: { type: 'string', value: 'NAME', description: `the k6 scenario: ${Object.keys(SCENARIOS).join(', ')} (required)` },
  'allow-production': { type: 'boolean', default: false, description: 'allow a production environment (only inside an agreed window)' },
  rate: { type: 'string', value: 'N', description: "requests per second (default: the scenario's)" },
  duration: { type: 'string', value: '30s|5m|1h', description: "how long (default: the scenario's)" },
  'fail-on': commonOptions['fail-on'],
  'reports-dir': commonOptions['reports-dir'],
} as const;

const command: Command = {
  usage: 'load --env NAME|PATH --scenario smoke|p95|spike|soak [options]',
  description: [
    'Runs a k6 scenario from load/ against the environment; failed thresholds are printed with their check id, runbook',
    'section and severity. Refuses production (--env production or CREDLINK_PRODUCTION=true) unless --allow-production.',
    '',
    'Scenarios:',
    ...Object.entries(SCENARIOS).map(([k, v]) => `  ${k.padEnd(6)} ${v}`),
    '',
    'Exit: 0 thresholds held, 1 thresholds failed (or the run was invalid), 2 usage, 3 k6 missing or failed, 4 refused.',
  ].join('\n'),
  options,
  async run(ctx) {
    const { values } = parse(ctx.args, options);
    const allow = Boolean(values['allow-production']);
    if (values.env === 'production' && !allow) throw refusal('production');
    const scenario = values.scenario;
    if (!scenario || !isScenario(scenario)) throw new UsageError(`--scenario must be one of ${Object.keys(SCENARIOS).join(', ')}${scenario ? ` (got "${scenario}")` : ''}`);
    if (values.rate !== undefined && !(Number(values.rate) > 0)) throw new UsageError(`--rate must be a positive number (got "${values.rate}")`);
    if (values.duration !== undefined && !/^\d+(s|m|h)$/.test(values.duration)) throw new UsageError(`--duration must look like 30s, 5m or 1h (got "${values.duration}")`);
    const config = configFrom(values);
    if ((config.production || config.env === 'production') && !allow) throw refusal(config.env);
    const failOn = failOnFrom(values, config);
    const k6 = findOnPath('k6', processFacts.env().PATH);
    if (!k6) throw new EnvironmentError(`k6 is not on PATH: ${K6_INSTALL_HINT}`);

    let embedded: EmbeddedStack | undefined;
    let cfg = config;
    if (config.target === 'embedded') {
      ctx.err('starting the reference CredLink target (PostgreSQL on loopback)...\n');
      embedded = await startEmbedded(config);
      cfg = embedded.config;
    }
    try {
      const runDir = runDirFor(values['reports-dir'] ?? 'reports', cfg.env, `${newRunId()}-load-${scenario}`);
      fs.mkdirSync(runDir, { recursive: true });
      const t = cfg.thresholds;
      const vars: Record<string, string> = {
        CREDLINK_BASE_URL: cfg.baseUrl,
        CREDLINK_PROBE_PATHS: probeSettings(cfg).paths.join(','),
        CREDLINK_RESPONSE_WARN_MS: String(t.responseTimeMs.warning),
        CREDLINK_RESPONSE_CRIT_MS: String(t.responseTimeMs.critical),
        CREDLINK_ERROR_RATE_WARN: String(t.errorRate.warning),
        CREDLINK_ERROR_RATE_CRIT: String(t.errorRate.critical),
        CREDLINK_REQUEST_TIMEOUT_MS: String(cfg.timeouts.requestMs),
        CREDLINK_RUN_DIR: runDir,
        ...(values.rate ? { RATE: values.rate } : {}),
        ...(values.duration ? { DURATION: values.duration } : {}),
      };
      const scrub = new Scrubber(embedded?.secrets ?? []);
      const code = await runK6(k6, scenarioFile(scenario), vars, (l) => ctx.err(`${scrub.text(l)}\n`));
      const outcome = k6Outcome(code);
      if (outcome === 'k6-error') throw new EnvironmentError(`k6 exited with code ${code} (not a threshold failure): see its output above`);
      const file = path.join(runDir, 'k6-summary.json');
      if (!fs.existsSync(file)) throw new EnvironmentError(`k6 exited with code ${code} without writing ${file}`);
      const summary = k6SummarySchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
      const findings = findingsFromSummary(summary, { responseTimeMs: t.responseTimeMs, errorRate: t.errorRate });
      if (findings.length === 0) {
        ctx.out(`load ${scenario} on ${cfg.env}: every threshold held (summary: ${file})\n`);
        return outcome === 'passed' ? EXIT.healthy : EXIT.findings;
      }
      for (const f of findings) ctx.out(`${f.severity} ${f.checkId}: ${f.message}\n  runbook: ${f.section.title} (#${f.section.anchor})\n  severity: ${f.rule}\n`);
      ctx.out(`summary: ${file}\n`);
      return findings.some((f) => atLeast(f.severity, failOn)) ? EXIT.findings : EXIT.healthy;
    } finally {
      await embedded?.stop();
    }
  },
};

function refusal(env: string): RefusedError {
  return new RefusedError(`refusing to load-test "${env}": it is production. Load tests send heavy traffic; pass --allow-production only inside an agreed window`);
}

export default command;
