/**
 * Ways to present a key that services commonly accept: security.key-strict tries the valid key in
 * every one the environment does not declare (CREDLINK_API_KEY_IN), and the run's plan counts
 * those requests as failed attempts (src/budget/run-plan.ts).
 */
import type { Presentation } from '../../config/request-spec.ts';

export const KEY_PLACES: readonly Presentation[] = [
  { kind: 'header', name: 'X-API-Key' },
  { kind: 'bearer' },
  { kind: 'basic' },
  { kind: 'query', name: 'api_key' },
  { kind: 'query', name: 'apiKey' },
  { kind: 'query', name: 'key' },
  { kind: 'header', name: 'Api-Key' },
  { kind: 'header', name: 'X-Auth-Token' },
  { kind: 'header', name: 'X-Api-Token' },
];

export const samePlace = (a: Presentation, b: Presentation) => a.kind === b.kind && ('name' in a ? a.name.toLowerCase() : '') === ('name' in b ? b.name.toLowerCase() : '');
