/**
 * Builds the single-module @kubernetes/client-node (src/k8s/bundle.ts) ahead of the first run:
 * the container image runs it at build time, where its node_modules is still writable.
 * `node --import tsx src/k8s/build-bundle.ts`; exit 1 when it could not be built.
 */
import { bundleFile, ensureBundle } from './bundle.ts';

if (await ensureBundle()) process.stdout.write(`built ${bundleFile()}\n`);
else {
  process.stderr.write(`could not build ${bundleFile() ?? 'the single-module Kubernetes client'}: runs import the package as it is (slower)\n`);
  process.exitCode = 1;
}
