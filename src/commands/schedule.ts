import { parse, type Command } from './contract.ts';
import { processFacts } from '../../config/index.ts';
import { EnvironmentError, UsageError } from '../errors.ts';
import { prepareDir } from '../run/reports-dir.ts';
import { loadScheduleAndEnvironments } from '../schedule/load.ts';
import { runbookOf, startDaemon } from '../schedule/daemon.ts';
import { replayRunner } from '../schedule/replay-runner.ts';

/**
 * The monitoring daemon: runs each environment of schedule.json on its cron expression or
 * interval, pages through Slack / PagerDuty per incident, serves /metrics and /healthz.
 * One daemon per state directory (a second one exits 3 naming the holder).
 * SIGTERM / SIGINT: stop scheduling, let a run in progress finish within the grace period,
 * exit 0 (a second signal stops at once).
 */
const options = {
  config: { type: 'string', value: 'FILE', default: 'schedule.json', description: 'the schedule: environments with cron or intervalSeconds, listen address, folders' },
  host: { type: 'string', value: 'HOST', description: 'listen on this address (default: schedule.json listen.host, 127.0.0.1)' },
  port: { type: 'string', value: 'PORT', description: 'listen on this port, 0 = any free port (default: schedule.json listen.port, 9464)' },
  'state-dir': { type: 'string', value: 'DIR', description: 'alert state and run history (default: schedule.json stateDir, .state)' },
} as const;

const command: Command = {
  usage: 'schedule [options]',
  stopsInOrder: true,
  description: [
    'Runs each environment of schedule.json on its cron expression or interval, pages Slack / PagerDuty on incidents',
    '(flap control, one page per incident), and serves on its address: the status page (/ and /status), /status.json,',
    '/metrics, /healthz, /livez, /history?env=NAME, the run folders it keeps (/runs/<env>/<run-id>/) and, with',
    'CREDLINK_RUNBOOK_PATH set, the living runbook (/runbook).',
    '',
    'One daemon per state directory: a second one exits 3 naming the holder (pid, host, since).',
    '',
    'SIGTERM / SIGINT: no new runs, a run in progress gets the grace period (shutdownGraceSeconds), exit 0; a second',
    'signal stops at once. A "grep" that is not a regular expression or selects no check refuses the start (exit 2).',
  ].join('\n'),
  options,
  async run(ctx) {
    const { values } = parse(ctx.args, options);
    const file = values.config ?? 'schedule.json';
    // Every problem at once: schedule.json, its environment files and greps.
    const { config, configs, location } = loadScheduleAndEnvironments(file);
    if (values.host) config.listen.host = values.host;
    if (values.port !== undefined) {
      const p = Number(values.port);
      if (!Number.isInteger(p) || p < 0 || p > 65_535) throw new UsageError(`--port must be 0..65535 (got "${values.port}")`);
      config.listen.port = p;
    }
    if (values['state-dir']) config.stateDir = values['state-dir'];
    runbookOf(configs);
    prepareDir(config.reportsDir);
    // The grace period for runs in progress, the abandoned runs' own stop (8 s), and a margin.
    ctx.setGraceMs((config.shutdownGraceSeconds + 8 + 10) * 1000);
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
    // A stop request (ctx.signal: SIGTERM/SIGINT/SIGHUP, src/process/shutdown.ts) or a fatal state error ends the daemon;
    // a signal that arrives while it starts stops it cleanly once it is up.
    let onStop: (s: { signal: string } | { fatal: string }) => void = () => {};
    const stopRequested = new Promise<{ signal: string } | { fatal: string }>((resolve) => (onStop = resolve));
    if (ctx.signal.aborted) onStop({ signal: String(ctx.signal.reason) });
    else ctx.signal.addEventListener('abort', () => onStop({ signal: String(ctx.signal.reason) }), { once: true });
    try {
      let daemon;
      try {
        daemon = await startDaemon({ config, configs, log, runner: replay ? replayRunner(replay.dir, config.reportsDir) : undefined, sampling: !replay });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES') throw new EnvironmentError(`cannot listen on ${config.listen.host}:${config.listen.port}: ${err.code} (choose another --port)`);
        throw e;
      }
      void daemon.fatal.then((reason) => onStop({ fatal: reason }));
      log(`location ${location}; listening on ${daemon.url} (${daemon.server.list().map((r) => r.path).join(', ')}); state ${daemon.lock.file} held by pid ${daemon.lock.holder.pid}; ${daemon.scheduler.statuses().map((s) => `${s.env}: ${s.schedule}`).join('; ')}`);
      const stopped = await stopRequested;
      log('signal' in stopped ? `${stopped.signal}: shutting down` : `ERROR ${stopped.fatal}`);
      await daemon.stop();
      log('stopped');
      if ('fatal' in stopped) throw new EnvironmentError(stopped.fatal);
      return 0;
    } finally {
      onStop = () => {};
    }
  },
};
export default command;
