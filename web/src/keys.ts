// The sample keys the page signs with: the project's test vectors, bundled as text, so the
// page never generates RSA keys (slow in pure TypeScript) and a scenario rebuilt from a link
// has the same keys. They are public: good for teaching, never for a server.
/// <reference types="vite/client" />

import { parsePrivateKey, type PrivateKey } from '../../src/x509/index.js';
import { generateKey } from '../../src/crypto/index.js';
import type { PageKeyType } from './model.js';

const PEMS = import.meta.glob('../../vectors/keys/{rsa2048,p256,ed25519}-*.pem', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

const ROLES = ['root', 'intermediate', 'server', 'client', 'other'] as const;
export type KeyRole = (typeof ROLES)[number];

const cache = new Map<PageKeyType, Record<KeyRole, PrivateKey>>();

/** One distinct key per role for a key type: sample keys 1..5, or generated once per page for p384. */
export function keysFor(type: PageKeyType): Record<KeyRole, PrivateKey> {
  let keys = cache.get(type);
  if (!keys) {
    const enc = new TextEncoder();
    keys = Object.fromEntries(
      ROLES.map((role, i) => {
        const pem = PEMS[`../../vectors/keys/${type}-${i + 1}.pem`];
        return [role, pem ? parsePrivateKey(enc.encode(pem)) : generateKey(type as 'p384')];
      }),
    ) as Record<KeyRole, PrivateKey>;
    cache.set(type, keys);
  }
  return keys;
}
