/** Requests described by the environment: the env-file syntax, the built request, the generated images. */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { test } from 'node:test';
import {
  isSuccessStatus,
  parseForm,
  parseHeaders,
  parsePathLimits,
  parsePresentations,
  parseRate,
  parseSuccess,
  splitItems,
  type RequestSpec,
} from '../../config/request-spec.ts';
import { crc32, looksLikeImage, probeJpeg, probePng } from '../../src/http/probe-image.ts';
import { buildRequest, describeRequest } from '../../src/http/request-builder.ts';
import { imagePart } from '../../src/target/app.ts';

const value = <T>(r: { ok: true; value: T } | { ok: false; problem: string }): T => {
  assert.ok(r.ok, r.ok ? '' : r.problem);
  return r.value;
};
const problem = (r: { ok: boolean; problem?: string }) => (r.ok ? '' : r.problem!);

test('env syntax: ";"-separated items with "\\;" for a literal ";"', () => {
  assert.deepEqual(splitItems('a=1; b=2\\;3 ;; c'), ['a=1', 'b=2;3', 'c']);
  assert.deepEqual(value(parseHeaders('Accept: application/json; X-Client: a\\;b')), { accept: 'application/json', 'x-client': 'a;b' });
  assert.match(problem(parseHeaders('X-API-Key: k')), /checks send keys themselves/);
  assert.match(problem(parseHeaders('no colon here')), /"Name: value"/);
});

test('env syntax: multipart form with generated files, success statuses, key places', () => {
  assert.deepEqual(value(parseForm('image=@PNG; photo=@jpg; title=a = b')), {
    kind: 'multipart',
    fields: { title: 'a = b' },
    files: [{ field: 'image', type: 'png' }, { field: 'photo', type: 'jpeg' }],
  });
  assert.match(problem(parseForm('image=@gif')), /@png or @jpeg/);
  assert.match(problem(parseForm('')), /is empty/);
  assert.deepEqual(value(parseSuccess('200, 2xx')), ['200', '2xx']);
  assert.match(problem(parseSuccess('ok')), /statuses such as 200,201/);
  assert.ok(isSuccessStatus(['2xx'], 204) && isSuccessStatus(['201'], 201) && !isSuccessStatus(['201'], 200) && !isSuccessStatus(['2xx'], null));
  assert.deepEqual(value(parsePresentations('header:X-API-Key, Bearer, basic, query:api_key')), [
    { kind: 'header', name: 'X-API-Key' },
    { kind: 'bearer' },
    { kind: 'basic' },
    { kind: 'query', name: 'api_key' },
  ]);
  for (const bad of ['header:Authorization', 'cookie:s', 'query:', '']) assert.ok(problem(parsePresentations(bad)), bad);
});

test('env syntax: rates and per-path limits', () => {
  assert.deepEqual(value(parseRate('100/min')), { limit: 100, windowS: 60 });
  assert.deepEqual(value(parseRate('10/60s')), { limit: 10, windowS: 60 });
  assert.deepEqual(value(parseRate('5 / s')), { limit: 5, windowS: 1 });
  assert.deepEqual(value(parseRate('1000/hour')), { limit: 1000, windowS: 3600 });
  assert.equal(value(parseRate('none')), null);
  for (const bad of ['100', 'fast', '0/min', '10/fortnight']) assert.match(problem(parseRate(bad)), /N\/s, N\/min/, bad);
  assert.deepEqual(value(parsePathLimits('/sign=10/min per key, /verify = 30/60s')), [
    { path: '/sign', limit: 10, windowS: 60, perKey: true },
    { path: '/verify', limit: 30, windowS: 60, perKey: false },
  ]);
  assert.match(problem(parsePathLimits('sign=10/min')), /PATH=RATE/);
});

const spec = (over: Partial<RequestSpec> = {}): RequestSpec => ({ method: 'POST', path: '/sign', headers: { accept: 'application/json' }, body: { kind: 'json', json: '{"a":1}' }, success: ['2xx'], ...over });

test('built request: JSON body, the key in each place, never a key in its description', () => {
  const key = 'clk_secret-key';
  const json = buildRequest(spec(), { key: { value: key, as: { kind: 'header', name: 'X-API-Key' } } });
  assert.deepEqual(json, { method: 'POST', path: '/sign', headers: { accept: 'application/json', 'x-api-key': key, 'content-type': 'application/json' }, data: '{"a":1}' });
  assert.equal(buildRequest(spec(), { key: { value: key, as: { kind: 'bearer' } } }).headers!.authorization, `Bearer ${key}`);
  assert.equal(Buffer.from(buildRequest(spec(), { key: { value: key, as: { kind: 'basic' } } }).headers!.authorization!.slice(6), 'base64').toString(), `${key}:`);
  assert.equal(buildRequest(spec({ path: '/sign?mode=test' }), { key: { value: 'a b', as: { kind: 'query', name: 'api_key' } } }).path, '/sign?mode=test&api_key=a%20b');
  assert.equal(buildRequest(spec(), { rawJson: '{"x": ' }).data, '{"x": ');
  assert.equal(describeRequest(spec()), 'POST /sign (JSON body)');
  assert.throws(() => buildRequest(spec({ path: null })), /no path/);
});

test('built request: multipart with a generated image the reference target accepts as one', () => {
  const req = buildRequest(spec({ body: { kind: 'multipart', fields: { title: 'probe' }, files: [{ field: 'image', type: 'png' }] } }));
  assert.equal(req.data, undefined);
  assert.equal(req.multipart!.title, 'probe');
  const file = req.multipart!.image as { name: string; mimeType: string; buffer: Buffer };
  assert.equal(file.mimeType, 'image/png');
  assert.equal(looksLikeImage(file.buffer), 'png');
  assert.equal(describeRequest(spec({ body: { kind: 'multipart', fields: { title: 'probe' }, files: [{ field: 'image', type: 'png' }] } })), 'POST /sign (multipart: image=@png, title)');
  // The target's multipart reader finds the image part (what the multipart-only fault requires).
  const boundary = 'b0undary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nprobe\r\n--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`),
    file.buffer,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  assert.deepEqual(imagePart(`multipart/form-data; boundary=${boundary}`, body), file.buffer);
  assert.equal(imagePart('application/json', body), null);
});

test('generated images are valid: PNG chunks with correct CRCs and a decodable IDAT; JPEG markers in order', () => {
  const png = probePng();
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: string[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('ascii');
    const data = png.subarray(at + 8, at + 8 + len);
    assert.equal(png.readUInt32BE(at + 8 + len), crc32(png.subarray(at + 4, at + 8 + len)), `CRC of ${type}`);
    if (type === 'IDAT') assert.equal(zlib.inflateSync(data).length, 8 * (1 + 8 * 3), 'eight filtered RGB rows');
    chunks.push(type);
    at += 12 + len;
  }
  assert.deepEqual(chunks, ['IHDR', 'IDAT', 'IEND']);
  assert.equal(crc32(Buffer.from('IEND')), 0xae426082);
  const jpg = probeJpeg();
  const markers: number[] = [];
  for (let at = 2; at < jpg.length - 2; ) {
    assert.equal(jpg[at], 0xff);
    markers.push(jpg[at + 1]!);
    if (jpg[at + 1] === 0xda) break;
    at += 2 + jpg.readUInt16BE(at + 2);
  }
  assert.deepEqual(markers, [0xdb, 0xc0, 0xc4, 0xc4, 0xda]);
  assert.equal(looksLikeImage(jpg), 'jpeg');
  assert.equal(looksLikeImage(Buffer.from('not an image at all, just text')), null);
});
