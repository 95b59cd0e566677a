/**
 * The small, valid images the tool puts in a multipart file part (`image=@png`, `image=@jpeg`):
 * an upload endpoint that checks the file is an image accepts them, so a valid key is judged
 * on authentication, not on a missing or broken file. Generated, not shipped: 8x8 pixels of one
 * colour, a few hundred bytes.
 */
import zlib from 'node:zlib';
import type { FileType } from '../../config/request-spec.ts';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** An 8x8 RGB PNG of one colour. */
export function probePng(size = 8, rgb: [number, number, number] = [26, 115, 232]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const seg = (marker: number, body: number[]) => [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];

/**
 * An 8x8 grey baseline JPEG: one component, one block whose only coefficient is DC = 0 (mid
 * grey), coded with one-symbol Huffman tables (DC category 0, AC end-of-block).
 */
export function probeJpeg(): Buffer {
  const huff = (cls: number) => seg(0xc4, [cls, 1, ...new Array<number>(15).fill(0), 0x00]);
  return Buffer.from([
    0xff, 0xd8, // SOI
    ...seg(0xdb, [0x00, ...new Array<number>(64).fill(1)]), // DQT: table 0, all ones
    ...seg(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]), // SOF0: 8 bit, 8x8, 1 component, 1x1 sampling, table 0
    ...huff(0x00), // DHT DC 0
    ...huff(0x10), // DHT AC 0
    ...seg(0xda, [1, 1, 0x00, 0, 63, 0]), // SOS
    0b00111111, // DC code "0" (diff 0), AC code "0" (EOB), padded with ones
    0xff, 0xd9, // EOI
  ]);
}

export function probeImage(type: FileType): { name: string; mimeType: string; buffer: Buffer } {
  return type === 'png'
    ? { name: 'credlink-checks-probe.png', mimeType: 'image/png', buffer: probePng() }
    : { name: 'credlink-checks-probe.jpg', mimeType: 'image/jpeg', buffer: probeJpeg() };
}

/** What an upload endpoint checks first: the file starts and ends as its type says. */
export function looksLikeImage(b: Buffer): FileType | null {
  if (b.length > 24 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) && b.subarray(-8, -4).toString('ascii') === 'IEND') return 'png';
  if (b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b.at(-2) === 0xff && b.at(-1) === 0xd9) return 'jpeg';
  return null;
}
