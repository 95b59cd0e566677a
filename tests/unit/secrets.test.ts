import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sanitizeErrorText, stripCallLog } from '../../src/secrets/error-text.ts';
import { scrubRunDir } from '../../src/secrets/run-dir.ts';
import { REDACTED, Scrubber } from '../../src/secrets/scrub.ts';
import { readZip, writeZip } from '../../src/secrets/zip.ts';
import { tempDir } from '../helpers/harness.ts';
import { searchTree } from '../helpers/secret-search.ts';

const KEY = 'clk_Zs8vQ2rX9yTb4WmK1pLn7Hc3';
const PW = 'pw-Jq8/+x=9 z';

test('scrubber: known values in raw, URL-encoded, base64 and JSON-escaped forms', () => {
  const s = new Scrubber([KEY, PW]);
  const text = `${KEY} ${encodeURIComponent(PW)} ${Buffer.from(KEY).toString('base64')} ${JSON.stringify(PW)}`;
  const out = s.text(text);
  assert.ok(!out.includes(KEY) && !out.includes(encodeURIComponent(PW)) && !out.includes(Buffer.from(KEY).toString('base64')));
  assert.equal(out.split(REDACTED).length - 1, 4);
});

test('scrubber: credential shapes whatever their value, and JSON stays valid', () => {
  const s = new Scrubber([]);
  assert.equal(s.text('postgres://monitor:hunter22@db:5432/x'), `postgres://monitor:${REDACTED}@db:5432/x`);
  assert.equal(s.text('x-api-key: unknown-key-value'), `x-api-key: ${REDACTED}`);
  const doc = { command: 'curl -H "X-API-Key: sk-live-9" /sign', template: 'curl -H "X-API-Key: <key>" /sign', headers: { 'x-api-key': 'k' }, log: 'a\n  - authorization: Bearer abc\n  - next' };
  const out = s.value(doc);
  assert.equal(out.headers['x-api-key'], REDACTED);
  assert.equal(out.command, `curl -H "X-API-Key: ${REDACTED}" /sign`);
  assert.equal(out.template, 'curl -H "X-API-Key: <key>" /sign', 'a placeholder in a runbook command is not a credential');
  assert.equal(s.text('X-API-Key: ${API_KEY}'), 'X-API-Key: ${API_KEY}');
  assert.match(out.log, /- next$/, 'a redaction inside escaped JSON stops at the escaped newline');
});

test('scrubber: echoes in other letter case, hex, base64 (any alignment, url-safe too) and URL-encoded forms', () => {
  const s = new Scrubber([KEY]);
  const echoes = {
    upper: KEY.toUpperCase(),
    lower: KEY.toLowerCase(),
    hex: Buffer.from(KEY).toString('hex'),
    HEX: Buffer.from(KEY).toString('hex').toUpperCase(),
    base64: Buffer.from(KEY).toString('base64'),
    'base64 after 1 byte': Buffer.from(`:${KEY}`).toString('base64'),
    'basic credential': Buffer.from(`user:${KEY}`).toString('base64'),
    base64url: Buffer.from(`xy${KEY}`).toString('base64url'),
    url: encodeURIComponent(`${KEY}/+=`),
  };
  for (const [form, text] of Object.entries(echoes)) {
    const out = s.text(`echo ${text} end`);
    assert.match(out, /\[REDACTED\]/, form);
    assert.ok(!out.toLowerCase().includes(KEY.slice(4, 12).toLowerCase()), `${form}: ${out}`);
    for (const f of [Buffer.from(KEY).toString('hex'), Buffer.from(KEY).toString('base64').slice(2, 20)]) assert.ok(!out.toLowerCase().includes(f.toLowerCase()), `${form}: ${out}`);
  }
});

test('scrub, then cut: a secret across the cut leaves no part of it; a text cut inside a secret loses its head too', () => {
  const s = new Scrubber([KEY]);
  for (const at of [1990, 1995, 1999, 2000, 2001, 2005]) {
    const body = `${'x'.repeat(at - 10)}${KEY}${'y'.repeat(500)}`;
    const cut = s.excerpt(body, 2000);
    assert.ok(!cut.includes(KEY.slice(0, 4 + 3)), `cut at ${at}: ${cut.slice(-60)}`);
    assert.ok(!/\[RED$|\[REDACTED$/.test(cut.replace(/\.\.\. \(\d+ more characters\)$/, '')) || cut.includes(REDACTED), 'a marker is never split');
    assert.doesNotMatch(cut, /\[R(?:E(?:D(?:A(?:C(?:T(?:E(?:D)?)?)?)?)?)?)?\.\.\./, 'no half marker before the note');
  }
  // Something else cut the text (a body read up to a cap): the head of the secret still goes.
  for (const n of [4, 8, 12, KEY.length - 1]) assert.equal(s.text(`body: ${KEY.slice(0, n)}`), `body: ${REDACTED}`, `head of ${n} characters at the end`);
  // ... and a tail at the start of a text cut before the secret.
  assert.equal(s.text(`${KEY.slice(-10)} rest`), `${REDACTED} rest`);
  assert.equal(s.text(`a ${KEY.slice(3, 3 + 8)} b`), `a ${KEY.slice(3, 3 + 8)} b`, 'a middle piece without a cut is text, not a secret');
  // A secret with a common prefix (a Slack webhook's path) does not eat text that only shares it.
  const slack = new Scrubber(['/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX']);
  assert.equal(slack.text('GET /api/v1/namespaces/x/services/credlink-api-service'), 'GET /api/v1/namespaces/x/services/credlink-api-service');
  assert.equal(slack.text('url: https://hooks.slack.com/services/T0000/B0000/XXXX'), `url: https://hooks.slack.com${REDACTED}`, 'a cut path is a cut secret');
});

test('scrubber: only known values in markup (values()): shapes are left alone', () => {
  const s = new Scrubber([KEY]);
  const html = `<li>Try a key<br><code>curl -H &quot;X-API-Key: test-key&quot; https://x</code></li><li>Read logs ${KEY}</li>`;
  assert.equal(s.values(html), html.replace(KEY, REDACTED));
});

test('scrubber: binary content loses only the secret bytes', () => {
  const s = new Scrubber([KEY]);
  const b = Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(KEY), Buffer.from([3, 0])]);
  assert.deepEqual(s.bytes(b), Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(REDACTED), Buffer.from([3, 0])]));
});

test('error text: Playwright call logs are cut, ANSI-dimmed or not', () => {
  const err = [
    'apiRequestContext.fetch: Timeout 500ms exceeded.',
    'Call log:',
    '\u001b[2m  - → POST http://127.0.0.1:1/sign\u001b[22m',
    '\u001b[2m    - x-api-key: something-unknown\u001b[22m',
    '    - api-key: other',
    '',
    '   at spec.ts:10',
  ].join('\n');
  const out = stripCallLog(err);
  assert.ok(!out.includes('something-unknown') && !out.includes('api-key: other'));
  assert.match(out, /Call log: \[removed/);
  assert.match(out, /at spec\.ts:10/);
  assert.equal(sanitizeErrorText(`failed with ${KEY}`, new Scrubber([KEY])), `failed with ${REDACTED}`);
});

test('zip: entries survive a write/read round trip', () => {
  const entries = [{ name: 'a.txt', data: Buffer.from('hello') }, { name: 'dir/b.bin', data: Buffer.from([0, 255, 1]) }];
  assert.deepEqual(readZip(writeZip(entries)), entries);
});

test('scrubRunDir: text, JSON base64 bodies, zips, zips embedded in HTML and binaries', () => {
  const dir = tempDir('credlink-scrub-');
  try {
    fs.mkdirSync(path.join(dir, 'test-results', 'x'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'junit.xml'), `<failure>Timeout\nCall log:\n  - x-api-key: ${KEY}\n</failure>`);
    fs.writeFileSync(path.join(dir, 'playwright.json'), JSON.stringify({ attachments: [{ name: 'h', body: Buffer.from(`key ${KEY}`).toString('base64') }] }));
    const zip = writeZip([{ name: 'trace.network', data: Buffer.from(`{"x-api-key":"${KEY}","pw":"${PW}"}`) }]);
    fs.writeFileSync(path.join(dir, 'test-results', 'x', 'trace.zip'), zip);
    fs.mkdirSync(path.join(dir, 'html'));
    fs.writeFileSync(path.join(dir, 'html', 'index.html'), `<script>window.data = "data:application/zip;base64,${zip.toString('base64')}";</script>`);
    fs.writeFileSync(path.join(dir, 'shot.bin'), Buffer.concat([Buffer.from([0, 0]), Buffer.from(KEY)]));
    fs.writeFileSync(path.join(dir, 'clean.txt'), 'nothing here');
    fs.writeFileSync(path.join(dir, 'broken.zip'), Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.from(KEY), Buffer.alloc(30)]));
    assert.ok(searchTree(dir, [KEY, PW]).hits.length >= 5, 'the fixture does hold the secrets');
    const r = scrubRunDir(dir, [KEY, PW]);
    assert.equal(r.files, 7);
    assert.deepEqual(r.removed, ['broken.zip']);
    assert.ok(!r.changed.includes('clean.txt'));
    assert.deepEqual(searchTree(dir, [KEY, PW]).hits, []);
    assert.match(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8'), /Call log: \[removed/);
    const entries = readZip(fs.readFileSync(path.join(dir, 'test-results', 'x', 'trace.zip')));
    assert.equal(JSON.parse(entries[0]!.data.toString('utf8'))['x-api-key'], REDACTED, 'the archive is still readable');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
