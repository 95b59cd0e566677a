/**
 * multipart/form-data bodies (RFC 7578) for the HTTP client (src/http/client.ts): text fields
 * and file parts with a file name and a content type, as browsers and Playwright send them.
 * Encoded here because the client is node:http; the protected endpoint of a real service may
 * take only an upload (config/request-spec.ts, src/http/request-builder.ts).
 */
import crypto from 'node:crypto';

export interface FilePart {
  /** File name sent in Content-Disposition. */
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export type MultipartFields = Record<string, string | FilePart>;

/** Header values are quoted strings: CR, LF and '"' are percent-encoded, as the WHATWG form encoding does. */
const quoted = (s: string) => `"${s.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22')}"`;

/** Content types are sent as given, but never with a line break (header injection). */
const oneLine = (s: string) => s.replace(/[\r\n]/g, ' ');

export interface EncodedMultipart {
  /** `multipart/form-data; boundary=...`: the request's Content-Type. */
  contentType: string;
  body: Buffer;
}

/**
 * The body and its content type. The boundary is random and checked against the content (a file
 * part that happens to contain it would end the part early).
 */
export function encodeMultipart(fields: MultipartFields, boundary = `----credlink-checks-${crypto.randomBytes(12).toString('hex')}`): EncodedMultipart {
  const parts: Buffer[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const head =
      typeof value === 'string'
        ? `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(field)}\r\n\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(field)}; filename=${quoted(value.name)}\r\nContent-Type: ${oneLine(value.mimeType)}\r\n\r\n`;
    const content = typeof value === 'string' ? Buffer.from(value, 'utf8') : value.buffer;
    if (content.includes(boundary)) return encodeMultipart(fields);
    parts.push(Buffer.from(head, 'utf8'), content, Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}
