/**
 * A certificate authority of the simulator's own, made fresh at every start: a CA certificate
 * (written into the kubeconfig as certificate-authority-data) and a server certificate for
 * 127.0.0.1 / ::1 / localhost signed by it, so clients verify the simulator as they verify a
 * real API server. ECDSA P-256 keys from node:crypto; the X.509 structures are encoded here in
 * DER (RFC 5280), because node:crypto parses certificates but cannot issue them, Debian-slim
 * images have no `openssl` binary, and a PKI library (node-forge, @peculiar/x509) would be a
 * large dependency for two fixed certificates. `new crypto.X509Certificate()` and kubectl's
 * Go verifier are the proof that the encoding is right (tests/unit/k8s-sim.test.ts,
 * tests/integration/kubectl.test.ts).
 */
import crypto from 'node:crypto';

export interface SimTls {
  /** PEM of the CA certificate: what a kubeconfig's certificate-authority-data holds (base64 of it). */
  caPem: string;
  /** PEM of the server certificate, signed by the CA. */
  certPem: string;
  /** PEM (PKCS#8) of the server's private key. Never leaves the process. */
  keyPem: string;
}

// --- DER: tag, length, value ---------------------------------------------------------------

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const octets = (b: Buffer) => tlv(0x04, b);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
/** [n] EXPLICIT: a constructed context-specific wrapper. */
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);
/** BIT STRING with `unused` trailing bits in the last byte. */
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));

/** A positive INTEGER from big-endian bytes (a leading 0x00 when the top bit is set). */
function uint(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i += 1;
  const v = b.subarray(i);
  return tlv(0x02, v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime (years 1950-2049), as RFC 5280 requires for those years. */
function time(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

// --- X.509 -----------------------------------------------------------------------------------

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyId: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyId: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

const name = (cn: string) => seq(set(seq(oid(OID.organization), utf8('credlink-checks'))), set(seq(oid(OID.commonName), utf8(cn))));
const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** The key identifier of RFC 5280 4.2.1.2 (1): SHA-1 of the subjectPublicKey bits. */
function keyId(spki: Buffer): Buffer {
  // SubjectPublicKeyInfo = SEQUENCE { AlgorithmIdentifier, BIT STRING }: the EC point is the last
  // 65 bytes of a P-256 SPKI (uncompressed point), after the BIT STRING's unused-bits byte.
  return crypto.createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

interface Issue {
  subject: string;
  subjectKey: crypto.KeyObject;
  issuer: string;
  issuerKey: crypto.KeyObject;
  issuerKeyId: Buffer;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}

function issue(o: Issue): string {
  const spki = o.subjectKey.export({ type: 'spki', format: 'der' });
  const serial = crypto.randomBytes(16);
  serial[0]! &= 0x7f; // positive, at most 20 octets (RFC 5280 4.1.2.2)
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))), // v3
    uint(serial),
    algorithm,
    name(o.issuer),
    seq(time(o.notBefore), time(o.notAfter)),
    name(o.subject),
    spki,
    explicit(3, seq(...o.extensions, extension(OID.subjectKeyId, false, octets(keyId(spki))), extension(OID.authorityKeyId, false, seq(tlv(0x80, o.issuerKeyId))))),
  );
  const signature = crypto.sign('sha256', tbs, { key: o.issuerKey, dsaEncoding: 'der' });
  const der = seq(tbs, algorithm, bits(signature));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

/** IPv4 or IPv6 address bytes for a subjectAltName iPAddress entry. */
function ipBytes(ip: string): Buffer {
  if (ip.includes(':')) {
    const [head = '', tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return Buffer.from(groups.flatMap((g) => [(parseInt(g, 16) >> 8) & 0xff, parseInt(g, 16) & 0xff]));
  }
  return Buffer.from(ip.split('.').map(Number));
}

/**
 * A fresh CA and a server certificate for the loopback names. Valid from an hour ago (clock
 * skew) for `days` days; the CA lives only as long as the process that made it.
 */
export function createSimTls(opts: { hosts?: string[]; ips?: string[]; days?: number; now?: Date } = {}): SimTls {
  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - 3600_000);
  const notAfter = new Date(now.getTime() + (opts.days ?? 365) * 86400_000);
  const ca = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const server = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caKeyId = keyId(ca.publicKey.export({ type: 'spki', format: 'der' }));
  const caName = 'credlink-checks Kubernetes simulator CA';

  const caPem = issue({
    subject: caName,
    subjectKey: ca.publicKey,
    issuer: caName,
    issuerKey: ca.privateKey,
    issuerKeyId: caKeyId,
    notBefore,
    notAfter,
    extensions: [
      extension(OID.basicConstraints, true, seq(bool(true), uint(Buffer.from([0])))), // CA, pathLen 0
      extension(OID.keyUsage, true, bits(Buffer.from([0x06]), 1)), // keyCertSign, cRLSign
    ],
  });
  const sans = [
    ...(opts.hosts ?? ['localhost']).map((h) => tlv(0x82, Buffer.from(h, 'ascii'))), // dNSName
    ...(opts.ips ?? ['127.0.0.1', '::1']).map((ip) => tlv(0x87, ipBytes(ip))), // iPAddress
  ];
  const certPem = issue({
    subject: 'credlink-sim-apiserver',
    subjectKey: server.publicKey,
    issuer: caName,
    issuerKey: ca.privateKey,
    issuerKeyId: caKeyId,
    notBefore,
    notAfter,
    extensions: [
      extension(OID.basicConstraints, true, seq()),
      extension(OID.keyUsage, true, bits(Buffer.from([0x80]), 7)), // digitalSignature
      extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, seq(...sans)),
    ],
  });
  return { caPem, certPem, keyPem: server.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
