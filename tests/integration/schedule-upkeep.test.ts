/**
 * Daemon upkeep: report folders pruned after each run (never the one an open incident's alert
 * links to), one log line per run, a warning at start for an environment that cannot page.
 * The daemon runs in-process with the replay runner (prepared reports stored like real runs).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseEnv } from '../../config/index.ts';
import { parseSchedule } from '../../src/schedule/config.ts';
import { alertChannelWarnings, startDaemon } from '../../src/schedule/daemon.ts';
import { replayRunner } from '../../src/schedule/replay-runner.ts';
import { tempDir } from '../helpers/harness.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { healthRootReport, pagerDutyEnv } from '../helpers/records.ts';

let pd: Receiver;
before(async () => {
  pd = await startReceiver('pagerduty');
});
after(async () => {
  await pd.close();
});

const envConfig = (env: string, vars: Record<string, string> = {}) => pagerDutyEnv(env, pd.url, { CREDLINK_ALERT_RESOLVE_AFTER: '1', ...vars });

const world = (fail: boolean) => healthRootReport('staging', fail, 'prepared');

test('retention after each run keeps the newest runs and the report an open incident links to; one log line per run', async () => {
  const root = tempDir('credlink-upkeep-');
  const replay = path.join(root, 'replay');
  const reportsDir = path.join(root, 'reports');
  fs.mkdirSync(replay);
  const config = parseSchedule({ stateDir: path.join(root, 'state'), reportsDir, retention: { runs: 2 }, environments: [{ env: 'staging', cron: '0 0 1 1 *' }] }, 'schedule.test.json');
  const logs: string[] = [];
  const d = await startDaemon({ config, configs: new Map([['staging', envConfig('staging')]]), runner: replayRunner(replay, reportsDir), log: (l) => logs.push(l), listen: false });
  const folders = () => fs.readdirSync(path.join(reportsDir, 'staging')).sort();
  try {
    fs.writeFileSync(path.join(replay, 'staging.json'), JSON.stringify(world(true)));
    const runIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await d.scheduler.tick('staging');
      assert.equal(r.outcome, 'findings');
      runIds.push(folders().find((f) => !runIds.includes(f))!);
    }
    const opened = runIds[0]!;
    assert.equal(d.monitor.incidents()['staging/outage']!.reportRunId, opened);
    const link = (pd.requests[0]!.body as { payload: { custom_details: { report: string } } }).payload.custom_details.report;
    assert.equal(link, path.join(reportsDir, 'staging', opened, 'index.html'), 'the page links to the report of the run that opened it');
    assert.deepEqual(folders(), [opened, ...runIds.slice(-2)].sort(), 'the newest 2 and the linked one');
    fs.writeFileSync(path.join(replay, 'staging.json'), JSON.stringify(world(false)));
    await d.scheduler.tick('staging');
    assert.equal(folders().length, 2, 'resolved: its report is an ordinary old run now');
    assert.equal(folders().includes(opened), false);

    const lines = logs.filter((l) => /^staging: run /.test(l));
    assert.equal(lines.length, 6, `one line per run:\n${logs.join('\n')}`);
    assert.match(lines[0]!, new RegExp(`^staging: run ${opened} findings SEV-0 in \\d+\\.\\d s; 1 incident\\(s\\) in this run; opened 1 \\[staging/outage\\], resolved 0; 1 open$`));
    assert.match(lines[3]!, /findings SEV-0 in \d+\.\d s; 1 incident\(s\) in this run; opened 0, resolved 0; 1 open; 1 old report folder\(s\) removed$/);
    assert.match(lines[5]!, /healthy in \d+\.\d s; 0 incident\(s\) in this run; opened 0, resolved 1 \[staging\/outage\]; 0 open; 2 old report folder\(s\) removed$/);
  } finally {
    await d.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a warning at start for every environment that cannot page', async () => {
  const root = tempDir('credlink-warn-');
  const config = parseSchedule(
    { stateDir: path.join(root, 'state'), environments: [{ env: 'staging', cron: '0 0 1 1 *' }, { env: 'production', cron: '0 0 1 1 *' }, { env: 'blue', cron: '0 0 1 1 *' }] },
    'schedule.test.json',
  );
  const silent = parseEnv({ CREDLINK_BASE_URL: 'https://p.example', CREDLINK_API_KEYS: 'k-probe-123456' }, { env: 'production', file: 'environments/production.env', processEnv: {} });
  const configs = new Map([
    ['staging', envConfig('staging')],
    ['production', silent],
    ['blue', envConfig('blue', { CREDLINK_ALERT_ROUTES: 'SEV-0=pagerduty,SEV-1=slack,SEV-2=none' })],
  ]);
  const logs: string[] = [];
  const d = await startDaemon({ config, configs, runner: async () => world(false), log: (l) => logs.push(l), listen: false });
  await d.stop();
  const warnings = logs.filter((l) => l.startsWith('WARNING'));
  assert.deepEqual(warnings, [
    'WARNING staging: SEV-3 routes to slack, which is not configured: SEV-3 incidents are not paged (CREDLINK_ALERT_ROUTES)',
    'WARNING production: no alert channel is configured (set CREDLINK_SLACK_WEBHOOK_URL or CREDLINK_PAGERDUTY_ROUTING_KEY): its incidents are recorded and shown, never paged by this daemon (Alertmanager can page from its /metrics: docs/scale-out.md)',
    'WARNING blue: SEV-1 routes to slack, which is not configured: SEV-1 incidents are not paged (CREDLINK_ALERT_ROUTES)',
  ]);
  assert.deepEqual(alertChannelWarnings('staging', envConfig('staging', { CREDLINK_ALERT_ROUTES: 'SEV-0=pagerduty,SEV-3=none' })), [], 'every routed severity can page');
  fs.rmSync(root, { recursive: true, force: true });
});
