/**
 * The runbook sections that checks point to, cited by heading title and GitHub anchor.
 * Steps paraphrase each section's "Immediate Actions" (or its procedure), in order, with
 * the command each step stands for. `writes: true` marks a step that changes the system:
 * the tool never runs those, it only tells the responder.
 *
 * Commands are templates: `{{namespace}}`, `{{baseUrl}}{{healthPath}}`... are filled from the
 * resolved environment by runbooks/commands.ts (renderCommand), the one place names are filled in.
 * The runbook itself prints production's names (credlink-production, https://credlink.com).
 */
export interface ActionStep {
  /** What the responder does, in our words. */
  step: string;
  /** The runbook command, as a template of runbooks/commands.ts (`{{namespace}}`, `{{baseUrl}}`...). */
  command: string;
  /** The step changes the cluster or the service (restart, scale, rollback, patch). */
  writes?: boolean;
}

export interface RunbookSection {
  title: string;
  anchor: string;
  immediateActions: readonly ActionStep[];
}

export const sections = {
  'basic-service-health': {
    title: '1. Basic Service Health',
    anchor: '1-basic-service-health',
    immediateActions: [
      { step: 'Confirm /health answers', command: 'curl -f {{baseUrl}}{{healthPath}}' },
      { step: 'Read the detailed health document', command: 'curl -s {{baseUrl}}{{healthPath}} | jq .' },
      { step: 'Probe the versioned status and health endpoints', command: 'curl -f {{baseUrl}}{{statusPath}}; curl -f {{baseUrl}}{{apiHealthPath}}' },
      { step: 'Read the database part of the health document', command: "curl -s {{baseUrl}}{{healthPath}} | jq '.checks.database'" },
    ],
  },
  'kubernetes-health': {
    title: '2. Kubernetes Health',
    anchor: '2-kubernetes-health',
    immediateActions: [
      { step: 'List the API pods', command: 'kubectl get pods -n {{namespace}} -l {{selector}}' },
      { step: 'Check the rollout', command: 'kubectl rollout status deployment/{{deployment}} -n {{namespace}}' },
      { step: 'Check pod resource usage', command: 'kubectl top pods -n {{namespace}}' },
      { step: 'Read recent events', command: "kubectl get events -n {{namespace}} --sort-by='.lastTimestamp' | tail -20" },
    ],
  },
  'database-health': {
    title: '3. Database Health',
    anchor: '3-database-health',
    immediateActions: [
      { step: 'Run SELECT 1 with the application credentials', command: "pool.query('SELECT 1')" },
      { step: 'Count active connections', command: "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'" },
    ],
  },
  'service-unavailable': {
    title: 'Incident: Service Unavailable (503/502 Errors)',
    anchor: 'incident-service-unavailable-503502-errors',
    immediateActions: [
      { step: 'Check pod status', command: 'kubectl get pods -n {{namespace}} -l {{selector}}' },
      { step: 'Read the last 100 log lines', command: 'kubectl logs -f deployment/{{deployment}} -n {{namespace}} --tail=100' },
      { step: 'Check resource usage of pods and nodes', command: 'kubectl top pods -n {{namespace}}; kubectl describe nodes | grep -A 10 "Allocated resources"' },
      { step: 'Restart the deployment and watch it roll out', command: 'kubectl rollout restart deployment/{{deployment}} -n {{namespace}}', writes: true },
    ],
  },
  'high-error-rate': {
    title: 'Incident: High Error Rate (5xx Responses)',
    anchor: 'incident-high-error-rate-5xx-responses',
    immediateActions: [
      { step: 'Check error logs and the 5xx rate', command: 'kubectl logs deployment/{{deployment}} -n {{namespace}} | grep ERROR; rate({{requestsMetric}}{{{statusLabel}}=~"5.."}[5m])' },
      { step: 'Test the database from a pod', command: "pool.query('SELECT version()')" },
      { step: 'Check the environment variables of the deployment', command: 'kubectl exec deployment/{{deployment}} -n {{namespace}} -- env | grep -E "(DATABASE|AWS|API)"' },
      { step: 'Roll back if a deployment was recent', command: 'kubectl rollout history deployment/{{deployment}} -n {{namespace}}; kubectl rollout undo deployment/{{deployment}} -n {{namespace}}', writes: true },
    ],
  },
  'high-memory': {
    title: 'Incident: High Memory Usage',
    anchor: 'incident-high-memory-usage',
    immediateActions: [
      { step: 'Check memory usage per pod', command: 'kubectl top pods -n {{namespace}}' },
      { step: 'Watch heap usage over time for a leak', command: "node -e \"console.log(process.memoryUsage())\"" },
      { step: 'Raise the memory limit (2Gi) and request (1Gi)', command: "kubectl patch deployment {{deployment}} -n {{namespace}} -p '{...resources...}'", writes: true },
      { step: 'Force a restart', command: 'kubectl rollout restart deployment/{{deployment}} -n {{namespace}}', writes: true },
    ],
  },
  'database-connection': {
    title: 'Incident: Database Connection Issues',
    anchor: 'incident-database-connection-issues',
    immediateActions: [
      { step: 'Test a connection with 5 s timeouts', command: "new Pool({ connectionString, connectionTimeoutMillis: 5000, query_timeout: 5000 }).query('SELECT 1')" },
      { step: 'Count all connections', command: 'SELECT count(*) AS total FROM pg_stat_activity' },
      { step: 'Find the slowest queries', command: 'SELECT query, mean_exec_time, calls FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 5' },
      { step: 'Restart the application', command: 'kubectl rollout restart deployment/{{deployment}} -n {{namespace}}', writes: true },
    ],
  },
  'api-key-auth': {
    title: 'Incident: API Key Authentication Failures',
    anchor: 'incident-api-key-authentication-failures',
    immediateActions: [
      { step: 'Check the API key secret exists (never print its values)', command: 'kubectl get secret credlink-api-keys -n {{namespace}}' },
      { step: 'Try a key against the protected endpoint', command: 'curl -i -X {{protectedMethod}} {{keyCurl}} {{baseUrl}}{{protectedPath}}' },
      { step: 'Read authentication logs', command: 'kubectl logs deployment/{{deployment}} -n {{namespace}} | grep -i "auth\\|api.*key"' },
      { step: 'Rotate the keys if compromised', command: 'kubectl create secret generic credlink-api-keys-new -n {{namespace}} ...; kubectl set env deployment/{{deployment}} --from=secret/credlink-api-keys-new -n {{namespace}}', writes: true },
    ],
  },
  cors: {
    title: 'Incident: CORS Violations',
    anchor: 'incident-cors-violations',
    immediateActions: [
      { step: 'Read the allowed origins the pods run with', command: "node -e \"console.log(process.env.ALLOWED_ORIGINS)\"" },
      { step: 'Send a preflight from a test origin', command: 'curl -H "Origin: {{disallowedOrigin}}" -H "Access-Control-Request-Method: {{protectedMethod}}" -X OPTIONS {{baseUrl}}{{protectedPath}} -v' },
      { step: 'Correct ALLOWED_ORIGINS on the deployment', command: 'kubectl set env deployment/{{deployment}} ALLOWED_ORIGINS="{{allowedOrigins}}" -n {{namespace}}', writes: true },
    ],
  },
  'slow-responses': {
    title: 'Incident: Slow Response Times',
    anchor: 'incident-slow-response-times',
    immediateActions: [
      { step: 'Time the health endpoint, with a phase breakdown', command: 'curl -w "@curl-format.txt" -s {{baseUrl}}{{healthPath}}' },
      { step: 'Check pod and node resource usage', command: 'kubectl top pods -n {{namespace}}; kubectl top nodes' },
      { step: 'Time a SELECT 1 round trip', command: "pool.query('SELECT 1') timed" },
      { step: 'Scale out horizontally', command: 'kubectl scale deployment {{deployment}} --replicas=5 -n {{namespace}}', writes: true },
    ],
  },
  'rolling-restart': {
    title: '1. Rolling Restart',
    anchor: '1-rolling-restart',
    immediateActions: [
      { step: 'Watch the rollout progress', command: 'kubectl rollout status deployment/{{deployment}} -n {{namespace}}' },
      { step: 'Check pod health', command: 'kubectl get pods -n {{namespace}} -l {{selector}}' },
    ],
  },
  'blue-green': {
    title: '2. Blue-Green Deployment',
    anchor: '2-blue-green-deployment',
    immediateActions: [
      { step: 'Wait for green to be available', command: 'kubectl wait --for=condition=available deployment/{{deployment}} -n {{namespace}} --timeout=300s' },
      { step: 'Check which colour the Service selects', command: "kubectl get service {{service}} -n {{namespace}} -o jsonpath='{.spec.selector}'" },
      { step: 'Validate the public URL', command: 'curl -f {{baseUrl}}{{healthPath}}' },
      { step: 'Switch the selector back to blue to roll back', command: "kubectl patch service {{service}} -n {{namespace}} -p '{\"spec\":{\"selector\":{\"environment\":\"blue\"}}}'", writes: true },
    ],
  },
  'emergency-scaling': {
    title: '3. Emergency Scaling',
    anchor: '3-emergency-scaling',
    immediateActions: [
      { step: 'Check the autoscaler', command: 'kubectl get hpa -n {{namespace}}' },
      { step: 'Scale up for high load', command: 'kubectl scale deployment {{deployment}} --replicas=10 -n {{namespace}}', writes: true },
    ],
  },
  'key-metrics': {
    title: '1. Key Metrics to Monitor',
    anchor: '1-key-metrics-to-monitor',
    immediateActions: [
      { step: 'Query the error rate, p95, memory, CPU and database connection metrics', command: 'rate({{requestsMetric}}{{{statusLabel}}=~"5.."}[5m]) ...' },
    ],
  },
  'alert-thresholds': {
    title: '2. Alert Thresholds',
    anchor: '2-alert-thresholds',
    immediateActions: [
      { step: 'Compare each key metric with its warning and critical threshold', command: 'error 1%/5%, p95 2s/5s, memory 80%/95%, CPU 70%/90%, DB connections 80%/95%' },
    ],
  },
} as const satisfies Record<string, RunbookSection>;

export type SectionId = keyof typeof sections;
