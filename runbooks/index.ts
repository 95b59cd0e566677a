export * from './severity.ts';
export * from './sections.ts';
export * from './thresholds.ts';
export * from './catalog.ts';
