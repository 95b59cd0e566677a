import path from 'node:path';
import { parse, type Command } from './contract.ts';
import { parseFaults, formatFaults } from '../target/faults.ts';
import { startReferenceTarget, type ReferenceTarget } from '../target/index.ts';
import { startKubeSim, type KubeSim } from '../k8s-sim/index.ts';
import { loadConfig } from '../../config/index.ts';
import { ownPath } from '../process/owned.ts';
import { prepareDir } from '../run/reports-dir.ts';
import { PROJECT_ROOT } from '../run/paths.ts';
import { claimCredentialsFile, credentialsHeader } from '../target/credentials-file.ts';

/** A word for a POSIX shell: as is when safe, else single-quoted. */
const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * How to run credlink-checks from the current directory, as printed in hints: `npx credlink-checks`
 * where npx finds it (inside this checkout, or inside a project that has it in node_modules), else
 * the absolute path of its bin.
 */
export function invocation(cwd = process.cwd(), root = PROJECT_ROOT): string {
  const inside = (dir: string) => {
    const r = path.relative(dir, cwd);
    return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
  };
  const project = path.basename(path.dirname(root)) === 'node_modules' ? path.dirname(path.dirname(root)) : undefined;
  if (inside(root) || (project && inside(project))) return 'npx credlink-checks';
  return shellWord(path.join(root, 'bin', 'credlink-checks.js'));
}

/** Resolves when the signal is aborted (the command's stop request). */
const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });

const options = {
  fault: { type: 'string', value: 'F[=V],...', description: 'faults to start with (see drill --help); switch them later with PUT /__admin/faults' },
  'env-file': { type: 'string', value: 'PATH', description: 'an embedded environment file other than environments/local.env' },
  'reports-dir': { type: 'string', value: 'DIR', default: 'reports', description: 'where local-target.env (the credentials file) is written' },
  json: { type: 'boolean', default: false, description: 'print {url, credentials (the file path), adminEndpoint, faults, kubeconfig, kubeApi} as JSON' },
} as const;

const command: Command = {
  usage: 'target [options]',
  stopsInOrder: true,
  description: [
    'Starts the reference CredLink target alone (PostgreSQL on loopback, the Kubernetes API simulator) and prints its URL,',
    'its admin endpoint and the KUBECONFIG=... kubectl line for the simulator. Its credentials (API keys, monitor DATABASE_URL, admin token) are never printed: they go to',
    '<reports-dir>/local-target.env (mode 600), which doubles as an environment file for "run --env PATH" against it and',
    'is removed when the target stops. One target per credentials file: while it runs, another target with the same',
    '--reports-dir is refused (exit 4); give each its own folder. Ctrl-C or SIGTERM stops it (exit 0) and removes that file,',
    'its data and the simulator\'s directory, whatever point it had reached.',
  ].join('\n'),
  options,
  async run(ctx) {
    const { values } = parse(ctx.args, options);
    const faults = parseFaults(values.fault ?? '');
    const config = loadConfig({ env: values['env-file'] ? undefined : 'local', file: values['env-file'] });
    const reportsDir = path.resolve(prepareDir(values['reports-dir'] ?? 'reports'));
    const file = path.join(reportsDir, 'local-target.env');
    const claim = claimCredentialsFile(file, `start this one with its own folder: --reports-dir ${shellWord(`${reportsDir}-2`)}`);
    // Removed at stop, and by src/process/owned.ts whatever ends the process: it holds credentials.
    const ownedFile = ownPath(file);
    const ownedLock = ownPath(claim.lock);
    ctx.err('starting the reference CredLink target...\n');
    let t: ReferenceTarget | undefined;
    let kube: KubeSim | undefined;
    try {
      t = await startReferenceTarget({
        faults,
        databaseUrl: config.databaseUrl,
        allowedOrigins: config.allowedOrigins.length ? config.allowedOrigins : undefined,
        authFailLimit: { max: config.security.authFailLimit.max, windowMs: config.security.authFailLimit.windowS * 1000 },
      });
      // The Kubernetes API simulator follows the target's faults, as in `run --env local`.
      const k = await startKubeSim({ logSecrets: t.apiKeys.slice(0, 1) });
      kube = k;
      k.followFaults(t.faults());
      t.onFaults((f) => k.followFaults(f));
      if (ctx.signal.aborted) return 0;
      // Credentials go to a mode-600 env file, never to the terminal: it doubles as an
      // environment file for "run --env PATH" against this running target.
      claim.write(
        [
          credentialsHeader(),
          'CREDLINK_TARGET=remote',
          `CREDLINK_BASE_URL=${t.url}`,
          `CREDLINK_API_KEYS=${t.apiKeys.join(',')}`,
          `CREDLINK_RESTRICTED_API_KEY=${t.restrictedApiKey}`,
          `CREDLINK_ALLOWED_ORIGINS=${t.allowedOrigins.join(',')}`,
          `DATABASE_URL=${t.monitorDatabaseUrl}`,
          `KUBECONFIG=${k.kubeconfig}`,
          `KUBE_NAMESPACE=${k.settings.namespace}`,
          // The target's limits, so a run paces itself as it would against a real service.
          `CREDLINK_RATE_LIMIT=${config.rateLimits.client ? `${config.rateLimits.client.limit}/${config.rateLimits.client.windowS}s` : 'none'}`,
          `CREDLINK_AUTH_FAIL_LIMIT=${config.security.authFailLimit.max}`,
          `CREDLINK_AUTH_FAIL_WINDOW_S=${config.security.authFailLimit.windowS}`,
          `# switch faults: curl -X PUT -H 'x-admin-token: ${t.adminToken}' -d '{"faults":{"slow-responses":2500}}' ${t.url}/__admin/faults`,
          '',
        ].join('\n'),
      );
      const info = { url: t.url, credentials: file, adminEndpoint: `${t.url}/__admin/faults`, faults: formatFaults(t.faults()), kubeconfig: k.kubeconfig, kubeApi: k.url };
      if (values.json) ctx.out(JSON.stringify(info) + '\n');
      else {
        ctx.out(
          [
            `reference target: ${info.url}`,
            `  credentials (API key, monitor DATABASE_URL, admin token): ${file} (mode 600)`,
            `  check it:        ${invocation()} run --env ${shellWord(file)}`,
            `  faults: ${info.faults}; switch them with PUT ${info.adminEndpoint} (header x-admin-token)`,
            `  Kubernetes API simulator (TLS, its own CA): ${Object.entries(k.kubectlEnv()).map(([name, v]) => `${name}=${v}`).join(' ')} kubectl get pods -n ${k.settings.namespace}`,
            'Ctrl-C stops it.',
            '',
          ].join('\n'),
        );
      }
      await untilAborted(ctx.signal);
      return 0;
    } finally {
      claim.release();
      ownedFile.release();
      ownedLock.release();
      await kube?.stop();
      await t?.stop();
      if (t) ctx.err('stopped; data removed\n');
    }
  },
};
export default command;
