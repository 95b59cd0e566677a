/**
 * Variables of the process environment the tool reads itself (config/index.ts `processFacts`,
 * config/load.ts), as opposed to the variables of an environment file (config/schema.ts).
 * docs/reference/configuration.md lists them from here (`npm run docs`); a unit test keeps this
 * list and the variables config/ reads from process.env in step.
 */
export interface ProcessVariable {
  name: string;
  description: string;
  /** Only for the project's own tests: never set it where the monitor really runs. */
  testOnly?: boolean;
}

export const processVariables: readonly ProcessVariable[] = [
  {
    name: 'CREDLINK_LOCATION',
    description:
      'Where this monitor runs (`eu`, `us-east-1`: 1-63 letters, digits, `.`, `_`, `-`; a bad value is exit 2): recorded in runbook.json, alerts and every metric. It wins over schedule.json `location`; neither set: `default` (not the host name, which in a Deployment is the pod\'s and would start new metric series at every rollout). Refused in an environment file: an environment does not run somewhere, a monitor does',
  },
  {
    name: 'CREDLINK_RUNBOOK_URL',
    description: 'The default of every environment file\'s CREDLINK_RUNBOOK_URL (a file may override it; the daemon refuses environments that name different runbooks)',
  },
  {
    name: 'CREDLINK_RUNBOOK_PATH',
    description: 'The default of every environment file\'s CREDLINK_RUNBOOK_PATH (as CREDLINK_RUNBOOK_URL)',
  },
  { name: 'NO_COLOR', description: 'Plain terminal output, no colours (also TERM=dumb)' },
  { name: 'GITHUB_ACTIONS', description: '`true`: `gate` also prints ::error / ::warning annotations, one per incident' },
  { name: 'GITHUB_STEP_SUMMARY', description: 'The file `gate` appends its Markdown job summary to (GitHub Actions sets it)' },
  {
    name: 'CREDLINK_TEST_REPLAY_DIR',
    description: '`schedule` replays prepared reports (`<dir>/<env>.json`) instead of running any check; the daemon logs `TEST MODE` at start',
    testOnly: true,
  },
  { name: 'CREDLINK_TEST_INTERVAL_MS', description: 'The replay interval of CREDLINK_TEST_REPLAY_DIR, milliseconds (default 200)', testOnly: true },
];
