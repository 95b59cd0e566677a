/**
 * The checks' HTTP client (src/http/client.ts) sends what the request builder describes, byte for
 * byte: multipart bodies with file parts, JSON strings unchanged, headers and queries; and the
 * request budget around it records requests that got no answer, or were not sent because the
 * base URL is known not to answer, as `no-answer` without waiting for room. Real loopback servers.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { parseEnv } from '../../config/index.ts';
import { budgetedApi } from '../../src/budget/budgeted-api.ts';
import { RequestLedger } from '../../src/budget/ledger.ts';
import { HttpClient, MAX_BODY_BYTES } from '../../src/http/client.ts';
import { encodeMultipart } from '../../src/http/multipart.ts';
import { probeImage } from '../../src/http/probe-image.ts';
import { Reachability } from '../../src/http/reachability.ts';
import { send } from '../../src/probes/http.ts';
import { imagePart } from '../../src/target/app.ts';
import { tempDir } from '../helpers/harness.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

async function echoServer(answer: (s: Seen, res: http.ServerResponse) => void = (_s, res) => void res.writeHead(200).end('{}')) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { seen, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('multipart: fields and file parts with file name and content type, under a boundary the content type names', () => {
  const png = probeImage('png');
  const m = encodeMultipart({ title: 'credlink-checks probe', image: png }, 'XyZ');
  assert.equal(m.contentType, 'multipart/form-data; boundary=XyZ');
  const text = m.body.toString('latin1');
  assert.ok(text.startsWith('--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\ncredlink-checks probe\r\n--XyZ\r\n'));
  assert.ok(text.includes(`Content-Disposition: form-data; name="image"; filename="${png.name}"\r\nContent-Type: ${png.mimeType}\r\n\r\n`));
  assert.ok(text.endsWith('\r\n--XyZ--\r\n'));
  assert.deepEqual(imagePart(m.contentType, m.body), png.buffer, 'the reference target finds the image part');
  // Quotes and line breaks in names cannot break out of the header.
  const odd = encodeMultipart({ 'a"b\r\nX-Evil: 1': 'v' }, 'B').body.toString('latin1');
  assert.ok(odd.includes('name="a%22b%0D%0AX-Evil: 1"'), odd);
  // A boundary that occurs in the content is replaced by another.
  const clash = encodeMultipart({ f: 'xx--Bxx' }, 'B');
  assert.notEqual(clash.contentType, 'multipart/form-data; boundary=B');
});

test('client: multipart, JSON strings as bytes, headers and query reach the server as sent; the caller\'s content type yields to the boundary', async () => {
  const { seen, server, base } = await echoServer();
  const client = new HttpClient({ baseUrl: base, timeoutMs: 5000, headers: { 'user-agent': 'credlink-checks/test' } });
  try {
    const png = probeImage('png');
    const a = await send(client, { method: 'POST', path: '/sign?x-api-key=abc', headers: { 'content-type': 'application/json', 'x-client': 't' }, multipart: { image: png, title: 'probe' } });
    assert.equal(a.status, 200);
    assert.equal(a.path, '/sign', 'the sample never keeps the query');
    const m = seen[0]!;
    assert.equal(m.url, '/sign?x-api-key=abc');
    assert.match(String(m.headers['content-type']), /^multipart\/form-data; boundary=/);
    assert.equal(m.headers['x-client'], 't');
    assert.equal(m.headers['user-agent'], 'credlink-checks/test');
    assert.equal(Number(m.headers['content-length']), m.body.length);
    assert.deepEqual(imagePart(String(m.headers['content-type']), m.body), png.buffer);
    // A JSON string is sent as it is: never encoded again (a malformed body stays malformed).
    for (const raw of ['{"a":1}', '{"a":']) {
      await send(client, { method: 'POST', path: '/j', headers: { 'content-type': 'application/json' }, data: raw });
      assert.equal(seen.at(-1)!.body.toString('utf8'), raw);
    }
  } finally {
    await client.dispose();
    server.close();
  }
});

test('client: a body longer than the cap is cut there and marked truncated', async () => {
  const { server, base } = await echoServer((_s, res) => {
    res.writeHead(200);
    res.end(Buffer.alloc(MAX_BODY_BYTES + 10_000, 'x'));
  });
  const client = new HttpClient({ baseUrl: base, timeoutMs: 5000 });
  try {
    const r = await client.fetch('/big');
    assert.equal(r.truncated, true);
    assert.equal((await r.body()).length, MAX_BODY_BYTES);
  } finally {
    await client.dispose();
    server.close();
  }
});

test('budget over the client: no answer, and not sent because the base URL is down, are recorded as no-answer; an unsent request takes no room', async () => {
  // A port nothing listens on: refused at once.
  const { server, base } = await echoServer();
  server.close();
  const dir = tempDir('credlink-client-');
  dirs.push(dir);
  let asked = 0;
  const reach = new Reachability(undefined, { call: 'GET /health', timeoutMs: 1000, ask: async () => (asked++, { answered: false, error: 'ECONNREFUSED' }) });
  const client = new HttpClient({ baseUrl: base, timeoutMs: 2000, reachability: reach });
  // One request a minute per client: a second sent request would have to wait a whole window.
  const config = { ...parseEnv({ CREDLINK_BASE_URL: base, CREDLINK_API_KEYS: 'k-123456789', CREDLINK_RATE_LIMIT: '2/min' }, { env: 'staging', file: 'environments/staging.env', processEnv: {} }), baseUrl: base };
  const seen: string[] = [];
  const ledger = new RequestLedger(dir);
  const api = budgetedApi(client, { ledger, config, deadline: () => Date.now() + 3000, onResponse: (r) => seen.push(`${r.call} ${r.status} ${r.class}`) });
  try {
    const first = await send(api, { path: '/health' });
    assert.equal(first.status, null);
    assert.match(first.error ?? '', /ECONNREFUSED/);
    assert.equal(asked, 1, 'the failure was confirmed by one liveness request');
    assert.match(api.unsent?.() ?? '', /^the base URL does not answer/);
    for (let i = 0; i < 3; i++) {
      const s = await send(api, { path: '/status' });
      assert.match(s.error ?? '', /^not sent: the base URL does not answer/);
    }
    assert.deepEqual(seen, ['GET /health null no-answer', ...Array(3).fill('GET /status null no-answer')]);
    assert.equal(RequestLedger.summary(dir)!.sent, 1, 'only the request that was sent took room');
  } finally {
    await client.dispose();
  }
});
