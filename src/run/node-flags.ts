/**
 * Node flags of the Playwright processes (the runner, inherited by its workers, and the listing
 * of the checks for --grep): they live for one run and mostly wait on the network
 * (docs/benchmark.md, measured side by side):
 * - a small young generation: they keep little short-lived data, each about 20 MiB smaller for
 *   about 2% more CPU;
 * - no optimizing compiler (--no-opt): its work never paid off within a run, about 0.35 s of CPU
 *   per run (the interpreter and baseline compiler still run everything);
 * - garbage collection on the main thread (--single-threaded-gc): the helper threads cost more
 *   than they saved on heaps this small, about 0.15 s and 10 MiB per process.
 * The CLI itself (and the daemon, which runs for days) keeps Node's defaults.
 */
export const PLAYWRIGHT_NODE_FLAGS = ['--max-semi-space-size=2', '--no-opt', '--single-threaded-gc'];
