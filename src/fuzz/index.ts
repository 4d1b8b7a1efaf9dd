// Layer `fuzz` (beside `cli`): the certificate-chain fuzzer. Owns the case model and its
// fast-check arbitraries (chains of depth 1-6 over fixed keys, trust stores, bundles, CRLs,
// time, purpose, host names), the three mutation levels (semantic, Frankencert structural
// from a corpus, byte level with re-signing), mucert-style guidance by validator decision
// paths, the differential comparison with OpenSSL oracles (verdict, error code, depth), the
// known-differences table, delta-debugging shrinking, replayable vectors and the
// shardable campaign with its mergeable summary. Node-only parts (the `openssl verify`
// process and in-process TLS oracles, key and corpus loading, files) are the *-node.ts files.

export * from './model.js';
export { caseArb, caSpecArb, leafSpecArb, mutationArb, keyArb } from './arbitraries.js';
export { buildCase, mutateTbs, tlvOffsets, type BuildContext, type BuiltCase } from './build.js';
export { addToCorpus, emptyCorpus, pick, type Corpus, type CorpusExtension } from './corpus.js';
export {
  runOurs,
  parseCase,
  verifyOptions,
  compareVerify,
  compareTls,
  describeVerdict,
  type Ours,
  type Verdict,
  type DiffKind,
  type OracleName,
} from './verdict.js';
export { KNOWN_DIFFERENCES, classify, type KnownDifference, type Disagreement, type DifferenceKind } from './known-differences.js';
export { candidates, shrinkCase } from './shrink.js';
export { findingFiles, opensslVerifyArgs, pemOf, VECTOR_FILES, type CaseJson, type VectorMeta } from './vector.js';
export {
  runCampaign,
  mergeSummaries,
  formatSummary,
  nextSpec,
  caseSeed,
  hash64,
  DEFAULT_LANES,
  type Oracle,
  type CampaignOptions,
  type Summary,
  type Finding,
  type Progress,
} from './campaign.js';
export { generatedCorpus } from './seed-corpus.js';
export { cachedSigner, deterministicSigner } from './signing.js';
