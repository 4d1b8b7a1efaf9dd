// Shared by the fuzz tests: the fixed keys, the generated corpus (no conformance files, so
// the tests do not depend on ../shared), a build context and a signer cache shared by
// every test in a file.

import { cachedSigner, generatedCorpus, type BuildContext, type KeyRing } from '../../src/fuzz/index.js';
import { fastSigner, loadKeys } from '../../src/fuzz/setup-node.js';
import type { KeyName } from '../../src/fuzz/model.js';

let ctx: { keys: KeyRing; pems: Record<KeyName, string>; build: BuildContext } | undefined;

export function fuzzContext(): { keys: KeyRing; pems: Record<KeyName, string>; build: BuildContext } {
  if (ctx) return ctx;
  const { keys, pems } = loadKeys();
  ctx = { keys, pems, build: { keys, corpus: generatedCorpus(keys), signer: cachedSigner(fastSigner(pems, keys)) } };
  return ctx;
}
