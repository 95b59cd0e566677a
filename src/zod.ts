/**
 * zod for every module of the tool: `import { z } from '../src/zod.ts'`, never from 'zod'.
 *
 * It is zod's CommonJS build. In Playwright's runner and worker every ES module is loaded
 * through Playwright's module loader, one round trip to its loader thread each; zod's ES build
 * is about 120 files, so loading it cost both processes about 0.35 s of CPU per run, its
 * CommonJS build about 0.15 s (docs/benchmark.md). The API and the types are zod's own.
 */
import { createRequire } from 'node:module';
import type { z as Zod } from 'zod';

export const z: typeof Zod = (createRequire(import.meta.url)('zod') as { z: typeof Zod }).z;

// The types the tool names as `z.<type>` (a namespace of types only: it merges with the value).
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace z {
  export type infer<T> = Zod.infer<T>;
  export type input<T> = Zod.input<T>;
  export type output<T> = Zod.output<T>;
  export type ZodType<O = unknown, I = unknown> = Zod.ZodType<O, I>;
  export type ZodError<T = unknown> = Zod.ZodError<T>;
}
