/**
 * The container image, as far as it can be proven without a Docker engine:
 * - the Dockerfile, read statically (hadolint-style rules plus our own: multi-stage, the
 *   production-only install, non-root numeric USER, HEALTHCHECK on /healthz, the daemon as the
 *   default command, volumes for every writable place, no browser download);
 * - the build context the .dockerignore sends (no tests, no reports, no real env files);
 * - no runtime file imports a devDependency;
 * - the real thing: the context copied into a temporary directory, the Dockerfile's own
 *   install step run there (devDependencies omitted, from the npm cache), then `list`,
 *   `validate` and a full `run --env local` from that install, as uid 10001 (the image's user)
 *   with the application folder not writable, writing only to the image's volumes; and the
 *   daemon started from it answers the Dockerfile's HEALTHCHECK command.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { RunbookReport } from '../../src/reporter/schema.ts';
import { PROJECT_ROOT } from '../../src/run/paths.ts';
import { freePort } from '../../src/target/postgres.ts';
import { contextFiles, copyContext, dockerignore, execForm, parseDockerfile, stageEnv, type Stage } from '../helpers/docker-context.ts';
import { tempDir } from '../helpers/harness.ts';

const read = (rel: string) => fs.readFileSync(path.join(PROJECT_ROOT, rel), 'utf8');
const pkg = JSON.parse(read('package.json')) as { name: string; version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const dockerfile = parseDockerfile(read('Dockerfile'));
const runtime = dockerfile.stages.at(-1)!;
const excluded = dockerignore(read('.dockerignore'));
const files = contextFiles(PROJECT_ROOT, excluded);

const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const one = (stage: Stage, keyword: string) => {
  const found = all(stage, keyword);
  assert.equal(found.length, 1, `exactly one ${keyword} in the runtime stage`);
  return found[0]!;
};
/** The install step: the RUN of the build stage that runs `npm ci`. */
const installRun = dockerfile.stages.flatMap((s) => all(s, 'RUN')).find((r) => /\bnpm ci\b/.test(r.args));
const npmCiArgs = /npm ci ([^&;|]*)/.exec(installRun?.args ?? '')?.[1]?.trim().split(/\s+/) ?? [];
/** The image's writable places (VOLUME). */
const volumes = execForm(one(runtime, 'VOLUME').args) ?? [];
const IMAGE_UID = 10001;

test('Dockerfile: multi-stage, pinned base, production-only install from the lock file, no browser download', () => {
  assert.ok(dockerfile.stages.length >= 2, 'a build stage and a runtime stage');
  for (const s of dockerfile.stages) {
    assert.match(s.from, /^node:20\.\d+-bookworm-slim$/, `${s.from}: a pinned Node 20 (the runtime @kubernetes/client-node 1.x needs), slim Debian`);
  }
  const build = dockerfile.stages.find((s) => s.name && all(runtime, 'COPY').some((c) => c.args.includes(`--from=${s.name} `)));
  assert.ok(build, 'the runtime stage copies from a named build stage');
  assert.ok(all(runtime, 'COPY').some((c) => c.args === `--from=${build.name} /app/node_modules ./node_modules`), 'node_modules come from the build stage');
  assert.ok(installRun, 'an `npm ci` install step');
  assert.ok(npmCiArgs.includes('--omit=dev'), `devDependencies omitted: npm ci ${npmCiArgs.join(' ')}`);
  assert.ok(all(build, 'COPY').some((c) => /package\.json package-lock\.json/.test(c.args)), 'install from the lock file only (layer cache)');
  for (const s of dockerfile.stages) assert.equal(stageEnv(s).PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD, '1', 'no browser download at install');
  const text = read('Dockerfile');
  assert.doesNotMatch(text, /playwright install|npx playwright/, 'never `playwright install`');
  // hadolint-style: DL3020 COPY not ADD, DL3025 exec form, DL3000 absolute WORKDIR, DL3003 no cd, DL3015 no recommends.
  assert.equal(dockerfile.stages.flatMap((s) => all(s, 'ADD')).length, 0, 'COPY, not ADD');
  for (const s of dockerfile.stages) for (const w of all(s, 'WORKDIR')) assert.ok(w.args.startsWith('/'), `absolute WORKDIR ${w.args}`);
  for (const r of dockerfile.stages.flatMap((s) => all(s, 'RUN'))) {
    assert.doesNotMatch(r.args, /(^|&&\s*)cd\s/, `line ${r.line}: use WORKDIR, not cd`);
    assert.doesNotMatch(r.args, /\bsudo\b/, `line ${r.line}: no sudo`);
    if (/apt-get install/.test(r.args)) assert.match(r.args, /--no-install-recommends/, `line ${r.line}`);
  }
});

test('Dockerfile: non-root numeric USER, volumes for the writable places, HEALTHCHECK on /healthz, the daemon by default', () => {
  const user = one(runtime, 'USER');
  assert.equal(user.args, `${IMAGE_UID}:${IMAGE_UID}`, 'numeric uid:gid, so runAsNonRoot can verify it');
  const at = (i: { keyword: string }) => runtime.instructions.indexOf(i as never);
  assert.ok(at(user) < at(one(runtime, 'CMD')) && at(user) < at(one(runtime, 'HEALTHCHECK')), 'USER comes before the command and the healthcheck');
  assert.deepEqual(volumes, ['/app/reports', '/app/.state', '/tmp'], 'reports, state and tmp');
  const env = stageEnv(runtime);
  assert.equal(env.TMPDIR, '/tmp');
  assert.equal(env.HOME, '/tmp', 'HOME on a writable volume: the root filesystem is read-only');
  assert.equal(one(runtime, 'WORKDIR').args, '/app');
  const health = one(runtime, 'HEALTHCHECK').args;
  const [, options, cmd] = /^(.*?)\s*CMD\s+(\[.*\])$/.exec(health)!;
  assert.match(options!, /--interval=\d+s/);
  assert.match(options!, /--timeout=\d+s/);
  assert.match(execForm(cmd!)!.join(' '), /http:\/\/127\.0\.0\.1:9464\/healthz/);
  assert.deepEqual(execForm(one(runtime, 'ENTRYPOINT').args), ['node', '--', 'bin/credlink-checks.js']);
  assert.equal(execForm(one(runtime, 'CMD').args)![0], 'schedule', 'the default command is the daemon');
  assert.ok(one(runtime, 'EXPOSE').args.split(/\s+/).includes('9464'));
});

test('.dockerignore: the context holds what the image runs, never tests, reports, state or real env files', () => {
  for (const f of ['bin/credlink-checks.js', 'src/cli.ts', 'config/schema.ts', 'checks/fixtures.ts', 'runbooks/catalog.ts', 'playwright.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'environments/local.env']) {
    assert.ok(files.includes(f), `${f} is sent`);
  }
  assert.ok(files.some((f) => /^environments\/.+\.env\.example$/.test(f)), 'the env templates are sent');
  for (const f of files) assert.doesNotMatch(f, /^(tests|bench|deploy|reports|\.state|\.git|\.ci|node_modules)\/|^Dockerfile$|\.log$/, `${f} must not be sent`);
  // Paths that may exist on a developer's machine: the rules leave them out.
  for (const f of ['environments/production.env', 'environments/staging.env', 'reports/local/run/runbook.json', '.state/alerts.json', 'src/reports/x.json', 'node_modules/x/index.js', 'debug.log', 'tests/unit/x.test.ts']) {
    assert.ok(excluded(f), `${f} is left out`);
  }
  assert.ok(!excluded('environments/local.env') && !excluded('environments/staging.env.example'));
});

test('no runtime file imports a devDependency; every package it imports is a production dependency', () => {
  const dev = new Set(Object.keys(pkg.devDependencies));
  const prod = new Set(Object.keys(pkg.dependencies));
  const builtins = new Set(builtinModules);
  const problems: string[] = [];
  for (const f of files.filter((x) => /\.(ts|js|mjs)$/.test(x))) {
    const text = read(f);
    for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)) {
      if (m[2]) continue; // `import type`: erased before it runs
      const spec = m[3] ?? m[4] ?? m[5]!;
      if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || builtins.has(spec)) continue;
      // k6 modules exist only inside k6 (load/ runs there, not in Node).
      if (f.startsWith('load/') && /^k6(\/|$)/.test(spec)) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (dev.has(name)) problems.push(`${f}: imports devDependency ${name}`);
      else if (!prod.has(name)) problems.push(`${f}: imports ${name}, which is not in dependencies`);
    }
  }
  assert.deepEqual(problems, []);
});

// --- the production-only install, run as the image's user ------------------------------

let work: string;
let app: string;
let volumesDir: string;
const asRoot = process.getuid?.() === 0;
/**
 * Who runs the installed CLI. As root: an unprivileged user with a passwd entry, as the image's
 * uid 10001 has one (PostgreSQL refuses a uid without): 10001 if this machine has it, else
 * `nobody`; the app folder is then read-only for it, as in the image. Otherwise: ourselves,
 * with the app folder made read-only.
 */
function unprivileged(): { uid: number; gid: number } | undefined {
  const passwd = fs.existsSync('/etc/passwd') ? fs.readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':')) : [];
  const entry = passwd.find((f) => f[2] === String(IMAGE_UID)) ?? passwd.find((f) => f[0] === 'nobody');
  return entry ? { uid: Number(entry[2]), gid: Number(entry[3]) } : undefined;
}
const identity: { uid?: number; gid?: number } = asRoot ? (unprivileged() ?? { uid: IMAGE_UID, gid: IMAGE_UID }) : {};

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the installed CLI as the image would: its ENV, its user, cwd /app (here: the copy). */
function image(args: string[], timeoutMs = 240_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const tmp = path.join(volumesDir, 'tmp');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...stageEnv(runtime), HOME: tmp, TMPDIR: tmp, NO_COLOR: '1' };
    const [cmd, ...entry] = execForm(one(runtime, 'ENTRYPOINT').args)!;
    const child = spawn(cmd === 'node' ? process.execPath : cmd!, [...entry, ...args], { cwd: app, env, ...identity, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

describe('the production-only install, run as the image user on a read-only app folder', () => {
  before(async () => {
    work = tempDir('credlink-image-');
    fs.chmodSync(work, 0o755);
    app = path.join(work, 'app');
    copyContext(PROJECT_ROOT, files, app);
    // The Dockerfile's install step, in the build stage's order: lock files, then `npm ci` with its flags.
    const install = spawnSync('npm', ['ci', ...npmCiArgs, '--prefer-offline'], {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, ...stageEnv(dockerfile.stages[0]!), npm_config_update_notifier: 'false' },
      timeout: 240_000,
    });
    assert.equal(install.status, 0, `npm ci ${npmCiArgs.join(' ')}: ${install.stderr}`);
    // Packages the lock file marks dev-only (devDependencies and what only they pull in) are absent.
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([p, v]) => p && v.dev).map(([p]) => p);
    assert.ok(devOnly.includes('node_modules/typescript'));
    for (const p of devOnly) assert.ok(!fs.existsSync(path.join(app, p)), `${p} (dev only) is not installed`);
    // The runtime stage's build steps that run node (the single-module Kubernetes client, the compiled command line), as the image build runs them.
    for (const r of all(runtime, 'RUN').filter((x) => /^node\s/.test(x.args))) {
      const step = spawnSync('sh', ['-c', r.args], { cwd: app, encoding: 'utf8', env: { ...process.env, ...stageEnv(runtime) }, timeout: 120_000 });
      assert.equal(step.status, 0, `Dockerfile line ${r.line} (${r.args}): ${step.stderr}`);
    }
    const compiled = (await import(pathToFileURL(path.join(app, 'bin', 'compiled-cli.js')).href)) as { freshBuild(root: string): string | undefined };
    assert.ok(compiled.freshBuild(app), 'the image holds the compiled command line');
    // The image's volumes: the only writable places. Everything else is read-only for the user.
    volumesDir = path.join(work, 'volumes');
    for (const v of volumes) {
      const dir = v === '/tmp' ? path.join(volumesDir, 'tmp') : path.join(app, path.relative('/app', v));
      fs.mkdirSync(dir, { recursive: true });
      if (identity.uid !== undefined) fs.chownSync(dir, identity.uid, identity.gid!);
    }
    fs.chmodSync(volumesDir, 0o755);
    if (!asRoot) {
      spawnSync('chmod', ['-R', 'a-w', app]);
      for (const v of volumes.filter((x) => x !== '/tmp')) fs.chmodSync(path.join(app, path.relative('/app', v)), 0o755);
    }
  });

  after(() => {
    if (!work) return;
    if (!asRoot) spawnSync('chmod', ['-R', 'u+w', work]);
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('production-only install: `list` and `validate` work, as the image user on a read-only app folder', async () => {
    const list = await image(['list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.ok((JSON.parse(list.stdout) as unknown[]).length > 40);
    const validate = await image(['validate']);
    assert.equal(validate.code, 0, validate.stderr);
    assert.match(validate.stdout, /^valid: \d+ environment\(s\), \d+ catalog entries, \d+ checks/m);
  });

  test('production-only install: a full `run --env local` (reference target, embedded PostgreSQL, Kubernetes simulator) is healthy', async () => {
    const r = await image(['run', '--env', 'local', '--json']);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout.slice(0, 2000)}`);
    const report = JSON.parse(r.stdout) as RunbookReport;
    assert.equal(report.verdict.status, 'healthy');
    assert.equal(report.counts.failed, 0);
    // Only what needs something `local` does not have skips: Prometheus, and a baseline (first run).
    assert.deepEqual(report.skipped.filter((x) => !/PROMETHEUS_URL is not set|no baseline/.test(x.reason)), []);
    assert.ok(report.counts.passed >= 35, JSON.stringify(report.counts));
    // The Kubernetes checks ran (TLS simulator) and the database checks ran (embedded PostgreSQL as the image user).
    assert.ok(report.passed.some((p) => p.checkId === 'k8s.pods-ready'));
    assert.ok(report.passed.some((p) => p.checkId.startsWith('db.')));
    // It wrote only to the volumes: the run folder under /app/reports.
    assert.ok(fs.readdirSync(path.join(app, 'reports', 'local')).length === 1);
  });

  test("the daemon from the production install answers the Dockerfile's HEALTHCHECK command", async () => {
    const port = await freePort();
    const config = path.join(volumesDir, 'tmp', 'schedule.json');
    // Never due while the test runs: the daemon only serves /healthz.
    fs.writeFileSync(config, JSON.stringify({ listen: { host: '127.0.0.1', port }, environments: [{ env: 'local', cron: '0 0 1 1 *' }] }));
    if (identity.uid !== undefined) fs.chownSync(config, identity.uid, identity.gid!);
    const [cmd, ...cmdArgs] = execForm(one(runtime, 'CMD').args)!;
    // The image's default command, with this test's config file and loopback instead of 0.0.0.0.
    const args = [cmd!, ...cmdArgs].map((a, i, xs) => (xs[i - 1] === '--config' ? config : xs[i - 1] === '--host' ? '127.0.0.1' : a));
    const tmp = path.join(volumesDir, 'tmp');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...stageEnv(runtime), HOME: tmp, TMPDIR: tmp, NO_COLOR: '1' };
    const daemon = spawn(process.execPath, ['bin/credlink-checks.js', ...args], { cwd: app, env, ...identity, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    daemon.stdout.on('data', (c) => (out += c));
    daemon.stderr.on('data', (c) => (out += c));
    const exited = new Promise<number | null>((resolve) => daemon.on('close', resolve));
    try {
      const health = execForm(/CMD\s+(\[.*\])$/.exec(one(runtime, 'HEALTHCHECK').args)![1]!)!.map((a) => a.replace(':9464/', `:${port}/`));
      let code: number | null = -1;
      for (let i = 0; i < 60 && code !== 0; i++) {
        await new Promise((r) => setTimeout(r, 500));
        code = spawnSync(health[0] === 'node' ? process.execPath : health[0]!, health.slice(1), { env, timeout: 10_000 }).status;
      }
      assert.equal(code, 0, `HEALTHCHECK against the daemon: ${out}`);
    } finally {
      daemon.kill('SIGTERM');
      const code = await exited;
      assert.equal(code, 0, `the daemon stops cleanly on SIGTERM: ${out}`);
    }
    assert.equal(spawnSync(process.execPath, ['-e', `fetch('http://127.0.0.1:${port}/healthz').then(() => process.exit(0), () => process.exit(1))`]).status, 1, 'and then the healthcheck fails');
  });
});
