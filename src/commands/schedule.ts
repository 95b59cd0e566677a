import { processFacts } from '../../config/index.ts';
import type { Command } from '../cli.ts';
import { parse } from '../cli.ts';
import { EnvironmentError, UsageError } from '../errors.ts';
import { loadSchedule } from '../schedule/config.ts';
import { loadEnvironments, startDaemon } from '../schedule/daemon.ts';
import { replayRunner } from '../schedule/replay-runner.ts';

/**
 * The monitoring daemon: runs each environment of schedule.json on its cron expression or
 * interval, pages through Slack / PagerDuty per incident, serves /metrics and /healthz.
 * One daemon per state directory (a second one exits 3 naming the holder).
 * SIGTERM / SIGINT: stop scheduling, let a run in progress finish within the grace period.
 */
const options = {
  config: { type: 'string', value: 'FILE', default: 'schedule.json', description: 'the schedule: environments with cron or intervalSeconds, listen address, folders' },
  host: { type: 'string', value: 'HOST', description: 'listen on this address (default: schedule.json listen.host, 127.0.0.1)' },
  port: { type: 'string', value: 'PORT', description: 'listen on this port, 0 = any free port (default: schedule.json listen.port, 9464)' },
  'state-dir': { type: 'string', value: 'DIR', description: 'alert state and run history (default: schedule.json stateDir, .state)' },
} as const;

const command: Command = {
  usage: 'schedule [options]',
  description: [
    'Runs each environment of schedule.json on its cron expression or interval, pages Slack / PagerDuty on incidents',
    '(flap control, one page per incident), and serves on its address: the status page (/ and /status), /status.json,',
    '/metrics, /healthz, /livez, /history?env=NAME, the run folders it keeps (/runs/<env>/<run-id>/) and, with',
    'CREDLINK_RUNBOOK_PATH set, the living runbook (/runbook).',
    '',
    'One daemon per state directory: a second one exits 3 naming the holder (pid, host, since).',
    '',
    'SIGTERM / SIGINT: no new runs, a run in progress gets the',
    'grace period, exit 0.',
  ].join('\n'),
  options,
  async run(ctx) {
    const { values } = parse(ctx.args, options);
    const config = loadSchedule(values.config ?? 'schedule.json');
    if (values.host) config.listen.host = values.host;
    if (values.port !== undefined) {
      const p = Number(values.port);
      if (!Number.isInteger(p) || p < 0 || p > 65_535) throw new UsageError(`--port must be 0..65535 (got "${values.port}")`);
      config.listen.port = p;
    }
    if (values['state-dir']) config.stateDir = values['state-dir'];
    const configs = loadEnvironments(config);
    const log = (line: string) => ctx.err(`${new Date().toISOString()} schedule: ${line}\n`);
    const replay = processFacts.scheduleReplay();
    if (replay) {
      log(`TEST MODE (CREDLINK_TEST_REPLAY_DIR): no check runs; every ${replay.intervalMs} ms each environment replays ${replay.dir}/<env>.json`);
      for (const e of config.environments) {
        e.cron = undefined;
        e.intervalSeconds = replay.intervalMs / 1000;
        e.jitterSeconds = 0;
      }
    }
    // Signals are handled from here on: a SIGTERM that arrives while the daemon starts, or right after
    // the "listening" line, stops it cleanly instead of killing it with its lock and state half-written.
    let onStop: (s: { signal: NodeJS.Signals } | { fatal: string }) => void = () => {};
    const stopRequested = new Promise<{ signal: NodeJS.Signals } | { fatal: string }>((resolve) => (onStop = resolve));
    const onSignal = (sig: NodeJS.Signals) => {
      // A second signal while stopping gets the default behaviour (ends the process at once).
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      onStop({ signal: sig });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      let daemon;
      try {
        daemon = await startDaemon({ config, configs, log, runner: replay ? replayRunner(replay.dir, config.reportsDir) : undefined });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES') throw new EnvironmentError(`cannot listen on ${config.listen.host}:${config.listen.port}: ${err.code} (choose another --port)`);
        throw e;
      }
      void daemon.fatal.then((reason) => onStop({ fatal: reason }));
      log(`listening on ${daemon.url} (${daemon.server.list().map((r) => r.path).join(', ')}); state ${daemon.lock.file} held by pid ${daemon.lock.holder.pid}; ${daemon.scheduler.statuses().map((s) => `${s.env}: ${s.schedule}`).join('; ')}`);
      const stopped = await stopRequested;
      log('signal' in stopped ? `${stopped.signal}: shutting down` : `ERROR ${stopped.fatal}`);
      await daemon.stop();
      log('stopped');
      if ('fatal' in stopped) throw new EnvironmentError(stopped.fatal);
      return 0;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  },
};
export default command;
