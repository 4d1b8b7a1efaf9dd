// PEM (RFC 7468, plus RFC 1421 headers for legacy encrypted keys) and the "PEM or DER?"
// decision for files users hand us. A file may hold several blocks (server.crt with the
// leaf then its intermediates), text around them (what `openssl x509 -text` writes), CRLF.

import { PemError } from './errors.js';

export interface PemBlock {
  /** the word(s) between BEGIN and the dashes: CERTIFICATE, X509 CRL, PRIVATE KEY... */
  label: string;
  der: Uint8Array;
  /** RFC 1421 headers (Proc-Type, DEK-Info) when present */
  headers: Record<string, string>;
  /** 1-based line of the BEGIN line */
  line: number;
}

const BEGIN = /^-----BEGIN ([A-Z0-9 ]*)-----\s*$/;
const END = /^-----END ([A-Z0-9 ]*)-----\s*$/;

/** All PEM blocks in a text; text outside blocks is ignored, as OpenSSL ignores it. */
export function parsePemBlocks(text: string): PemBlock[] {
  const lines = text.split(/\r?\n|\r/);
  const out: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = BEGIN.exec(lines[i].trim());
    if (!m) continue;
    const label = m[1];
    const beginLine = i + 1;
    const headers: Record<string, string> = {};
    let body = '';
    let inHeaders = true;
    let closed = false;
    for (i++; i < lines.length; i++) {
      const line = lines[i].trim();
      const e = END.exec(line);
      if (e) {
        if (e[1] !== label) throw new PemError('MISMATCHED_LABEL', `BEGIN ${label} closed by END ${e[1]}`, i + 1);
        closed = true;
        break;
      }
      if (inHeaders) {
        const h = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
        if (h) {
          headers[h[1]] = h[2];
          continue;
        }
        inHeaders = false;
        if (line === '') continue; // blank line separating RFC 1421 headers from the body
      }
      body += line;
    }
    if (!closed) throw new PemError('UNTERMINATED', `no END line for BEGIN ${label}`, beginLine);
    out.push({ label, der: base64Decode(body, beginLine), headers, line: beginLine });
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(256).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

export function base64Decode(s: string, line = 1): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  let end = clean.length;
  while (end > 0 && clean[end - 1] === '=') end--;
  if (clean.length - end > 2 || clean.length % 4 === 1) {
    throw new PemError('BAD_BASE64', 'invalid base64 length or padding', line);
  }
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const v = B64_INDEX[clean.charCodeAt(i)];
    if (v < 0) throw new PemError('BAD_BASE64', `invalid base64 character ${JSON.stringify(clean[i])}`, line);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

export function base64Encode(b: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    s += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  if (i < b.length) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8);
    s += `${B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : '=')}=`;
  }
  return s;
}

/** One PEM block with 64-character lines, as OpenSSL writes it. */
export function pemEncode(label: string, der: Uint8Array): string {
  const b = base64Encode(der);
  let s = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < b.length; i += 64) s += `${b.slice(i, i + 64)}\n`;
  return `${s}-----END ${label}-----\n`;
}

/**
 * Read a file's bytes as PEM blocks, or as one DER element when it is not text.
 * DER is recognised by its first byte (a SEQUENCE, 0x30); its label is left empty for the
 * caller to decide what the structure is.
 */
export function decodePemOrDer(bytes: Uint8Array): PemBlock[] {
  if (bytes.length > 0 && bytes[0] === 0x30) return [{ label: '', der: bytes, headers: {}, line: 0 }];
  const text = new TextDecoder('latin1').decode(bytes);
  const blocks = parsePemBlocks(text);
  if (blocks.length === 0) throw new PemError('NO_PEM', 'no PEM block (-----BEGIN ...-----) and not DER', 1);
  return blocks;
}
