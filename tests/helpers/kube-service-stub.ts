/**
 * TEST DOUBLE: a loopback stand-in for the Kubernetes API that serves exactly one thing,
 * GET /api/v1/namespaces/{ns}/services/{name}, with a real Service object shape, plus a
 * generated kubeconfig pointing at it. The full Kubernetes simulator lives in src/k8s-sim/.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface KubeServiceStub {
  url: string;
  kubeconfig: string;
  /** Sets the Service's selector colour (the runbook's `environment` label). */
  setColour(colour: string): void;
  requests: string[];
  close(): Promise<void>;
}

export async function startKubeServiceStub(dir: string, opts: { namespace: string; name: string; label?: string; colour: string }): Promise<KubeServiceStub> {
  const label = opts.label ?? 'environment';
  let colour = opts.colour;
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/?]+)/.exec(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.method !== 'GET' || !m || m[1] !== opts.namespace || m[2] !== opts.name) {
      res.writeHead(404);
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `services "${m?.[2] ?? '?'}" not found`, reason: 'NotFound', details: { name: m?.[2], kind: 'services' }, code: 404 }));
      return;
    }
    res.writeHead(200);
    res.end(
      JSON.stringify({
        kind: 'Service',
        apiVersion: 'v1',
        metadata: { name: opts.name, namespace: opts.namespace, uid: '5a1c3d2e-0000-4000-8000-000000000001', resourceVersion: '4242', creationTimestamp: '2026-11-01T09:00:00Z', labels: { app: 'credlink-api' } },
        spec: {
          type: 'ClusterIP',
          clusterIP: '10.96.120.15',
          clusterIPs: ['10.96.120.15'],
          ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 3000 }],
          selector: { app: 'credlink-api', [label]: colour },
          sessionAffinity: 'None',
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          internalTrafficPolicy: 'Cluster',
        },
        status: { loadBalancer: {} },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = path.join(dir, 'kubeconfig.yaml');
  fs.writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: stub',
      '  cluster:',
      `    server: ${url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: monitor',
      '  user:',
      '    token: stub-token-not-a-secret',
      'contexts:',
      '- name: stub',
      '  context: { cluster: stub, user: monitor, namespace: ' + opts.namespace + ' }',
      'current-context: stub',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return {
    url,
    kubeconfig,
    setColour: (c) => void (colour = c),
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
