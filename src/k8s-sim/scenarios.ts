/**
 * Scenario states of the Kubernetes API simulator, and how the reference target's faults map
 * onto them. Kubernetes scenarios are faults of the reference target too (src/target/faults.ts),
 * so `drill oomkilled` and `--fault crashloop` work through the same mechanism.
 */
import type { ActiveFaults } from '../target/faults.ts';

export const SCENARIOS = {
  crashloop: 'every API pod is in CrashLoopBackOff (restarting, never ready)',
  oomkilled: 'one API container was OOMKilled (exit 137) and restarted a minute ago',
  'rollout-stuck': 'a new ReplicaSet cannot pull its image: the rollout exceeded its progress deadline',
  'memory-pressure': 'every API pod uses 96% of its memory limit (metrics.k8s.io)',
  'cpu-saturation': 'every API pod uses 93% of its CPU limit (metrics.k8s.io)',
  'hpa-maxed': 'the HorizontalPodAutoscaler runs at its maximum replicas and wants more',
  'no-ready-endpoints': 'the Service selects environment=green, where no pod runs: no ready endpoints',
  forbidden: "the monitor's service account may not list pods or read their logs (403)",
  'pods-not-ready': 'every API pod fails its readiness probe (what 503/502 from the API looks like in the cluster)',
} as const;

export type Scenario = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as Scenario[];

const isScenario = (s: string): s is Scenario => Object.hasOwn(SCENARIOS, s);

/** The cluster state that corresponds to the target's active faults. */
export function scenariosFor(faults: ActiveFaults): Set<Scenario> {
  const out = new Set<Scenario>();
  for (const name of Object.keys(faults)) {
    if (isScenario(name)) out.add(name);
    // The API answering 503/502 everywhere: its pods fail their readiness probes.
    if (name === 'service-unavailable' || name === 'bad-gateway') out.add('pods-not-ready');
  }
  return out;
}
