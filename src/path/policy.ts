// Certificate policy processing of RFC 5280 §6.1 (valid_policy_tree, explicit_policy,
// policy_mapping, inhibit_anyPolicy): processPolicies for the `rfc5280` profile, and
// opensslPolicyCheck, OpenSSL 3.0's own form of it (X509_policy_check, crypto/x509/pcy_*.c),
// for the `openssl` profile. OpenSSL only runs it with X509_V_FLAG_POLICY_CHECK, which
// PostgreSQL never sets; `openssl verify -policy_check` (or -policy, -explicit_policy...) does,
// and prints the tree's authority and user policy sets (policies_print) with -policy_print or
// when an explicit policy is missing. OpenSSL's tree is shaped by its data structures (policy
// data shared per certificate, mapped expected sets kept on that data, nodes deduplicated and
// sorted by OID), and what it prints follows that shape, so the openssl profile walks it.

import { OID } from '../der/index.js';
import { derOid } from '../der/writer.js';
import type { Certificate, PolicyInformation } from '../x509/types.js';
import type { Ctx } from './context.js';
import { certInfo } from './cert-info.js';
import { X509_V_ERR, X509_V_OK } from './errors.js';

const ANY = OID.anyPolicy;

export interface PolicyInputs {
  /** user-initial-policy-set; default { anyPolicy } */
  initialPolicySet?: string[];
  initialExplicitPolicy?: boolean;
  initialPolicyMappingInhibit?: boolean;
  initialAnyPolicyInhibit?: boolean;
}

interface PNode {
  policy: string;
  expected: Set<string>;
  parent?: PNode;
  children: PNode[];
  depth: number;
}

class Tree {
  levels: PNode[][] = [];
  constructor() {
    this.levels[0] = [{ policy: ANY, expected: new Set([ANY]), children: [], depth: 0 }];
  }
  add(parent: PNode, policy: string, expected: Set<string>): PNode {
    const n: PNode = { policy, expected, parent, children: [], depth: parent.depth + 1 };
    parent.children.push(n);
    (this.levels[n.depth] ??= []).push(n);
    return n;
  }
  remove(n: PNode): void {
    this.levels[n.depth] = this.levels[n.depth].filter((x) => x !== n);
    if (n.parent) n.parent.children = n.parent.children.filter((x) => x !== n);
    for (const c of [...n.children]) this.remove(c);
  }
  /** delete childless nodes above `depth`, bottom-up */
  prune(depth: number): void {
    for (let d = depth - 1; d >= 0; d--) for (const n of [...(this.levels[d] ?? [])]) if (n.children.length === 0) this.remove(n);
  }
  empty(): boolean {
    return (this.levels[0] ?? []).length === 0;
  }
}

/** RFC 5280 6.1 over the chain: X509_V_OK, INVALID_POLICY_EXTENSION (anyPolicy mapped) or NO_EXPLICIT_POLICY */
export function processPolicies(
  ctx: Ctx,
  inputs: PolicyInputs = {},
): typeof X509_V_OK | typeof X509_V_ERR.INVALID_POLICY_EXTENSION | typeof X509_V_ERR.NO_EXPLICIT_POLICY {
  // the trust anchor is not part of the path
  const path = ctx.chain.slice(0, -1).reverse();
  const n = path.length;
  if (n === 0) return X509_V_OK;
  let tree: Tree | null = new Tree();
  let explicit = inputs.initialExplicitPolicy ? 0 : n + 1;
  let inhibitAny = inputs.initialAnyPolicyInhibit ? 0 : n + 1;
  let mapping = inputs.initialPolicyMappingInhibit ? 0 : n + 1;
  for (let i = 1; i <= n; i++) {
    const c: Certificate = path[i - 1];
    const selfIssued = certInfo(c).selfIssued;
    const cps = c.ext.certificatePolicies;
    if (cps && tree) {
      const prev = tree.levels[i - 1] ?? [];
      for (const p of cps) {
        if (p.oid === ANY) continue;
        const matches = prev.filter((node) => node.expected.has(p.oid));
        if (matches.length) for (const m of matches) tree.add(m, p.oid, new Set([p.oid]));
        else for (const m of prev.filter((node) => node.policy === ANY)) tree.add(m, p.oid, new Set([p.oid]));
      }
      if (cps.some((p) => p.oid === ANY) && (inhibitAny > 0 || (i < n && selfIssued))) {
        for (const m of prev) {
          for (const v of m.expected) if (!m.children.some((ch) => ch.policy === v)) tree.add(m, v, new Set([v]));
        }
      }
      tree.prune(i);
      if (tree.empty()) tree = null;
    } else tree = null;
    if (!(explicit > 0 || tree)) return X509_V_ERR.NO_EXPLICIT_POLICY;
    if (i === n) break;
    // preparation for the next certificate
    const maps = c.ext.policyMappings ?? [];
    if (maps.some((m) => m.issuerDomainPolicy === ANY || m.subjectDomainPolicy === ANY)) return X509_V_ERR.INVALID_POLICY_EXTENSION;
    if (tree && maps.length) {
      const byIssuer = new Map<string, Set<string>>();
      for (const m of maps)
        (byIssuer.get(m.issuerDomainPolicy) ?? byIssuer.set(m.issuerDomainPolicy, new Set()).get(m.issuerDomainPolicy)!).add(
          m.subjectDomainPolicy,
        );
      for (const [idp, subjects] of byIssuer) {
        const level = tree.levels[i] ?? [];
        const nodes = level.filter((x) => x.policy === idp);
        if (mapping > 0) {
          if (nodes.length) for (const x of nodes) x.expected = new Set(subjects);
          else {
            const anyNode = level.find((x) => x.policy === ANY);
            if (anyNode?.parent) tree.add(anyNode.parent, idp, new Set(subjects));
          }
        } else {
          for (const x of nodes) tree.remove(x);
          tree.prune(i);
          if (tree.empty()) tree = null;
          if (!tree) break;
        }
      }
    }
    if (!selfIssued) {
      if (explicit > 0) explicit--;
      if (mapping > 0) mapping--;
      if (inhibitAny > 0) inhibitAny--;
    }
    const pc = c.ext.policyConstraints;
    if (pc?.requireExplicitPolicy !== undefined) explicit = Math.min(explicit, pc.requireExplicitPolicy);
    if (pc?.inhibitPolicyMapping !== undefined) mapping = Math.min(mapping, pc.inhibitPolicyMapping);
    if (c.ext.inhibitAnyPolicy !== undefined) inhibitAny = Math.min(inhibitAny, c.ext.inhibitAnyPolicy);
  }
  // wrap-up
  const leaf = path[n - 1];
  if (explicit > 0) explicit--;
  if (leaf.ext.policyConstraints?.requireExplicitPolicy === 0) explicit = 0;
  const initial = inputs.initialPolicySet ?? [ANY];
  if (tree && !initial.includes(ANY)) {
    // valid_policy_node_set: nodes whose parent is an anyPolicy node
    const validSet: PNode[] = [];
    for (const lvl of tree.levels) for (const x of lvl ?? []) if (x.parent && x.parent.policy === ANY) validSet.push(x);
    for (const x of validSet) if (x.policy !== ANY && !initial.includes(x.policy)) tree.remove(x);
    const leafLevel = tree.levels[n] ?? [];
    const anyLeaf = leafLevel.find((x) => x.policy === ANY);
    if (anyLeaf?.parent) {
      for (const p of initial) if (!leafLevel.some((x) => x.policy === p)) tree.add(anyLeaf.parent, p, new Set([p]));
      tree.remove(anyLeaf);
    }
    tree.prune(n);
    if (tree.empty() || (tree.levels[n] ?? []).length === 0) tree = null;
  }
  if (explicit === 0 && !tree) return X509_V_ERR.NO_EXPLICIT_POLICY;
  return X509_V_OK;
}

// ---- OpenSSL's X509_policy_check (crypto/x509/pcy_tree.c, pcy_cache.c, pcy_map.c, pcy_node.c)

/** POLICY_DATA_FLAG_*: the issuer policy of a mapping listed in the certificate / reached only through anyPolicy */
const MAPPED = 0x1;
const MAPPED_ANY = 0x2;
const MAP_MASK = MAPPED | MAPPED_ANY;
const CRITICAL = 0x10;

type Qualifiers = PolicyInformation['qualifiers'];

/** X509_POLICY_DATA: one policy of one certificate (shared by every node made from it) */
interface PData {
  policy: string;
  flags: number;
  /** qualifier_set; undefined is NULL ("No Qualifiers") */
  qualifiers?: Qualifiers;
  /** expected_policy_set: the subject policies this one maps to */
  expected: string[];
}

interface ONode {
  data: PData;
  parent?: ONode;
  nchild: number;
}

interface OLevel {
  inhibitAny: boolean;
  inhibitMap: boolean;
  /** non-anyPolicy nodes, in the order they were added */
  nodes: ONode[];
  anyPolicy?: ONode;
}

/** X509_POLICY_CACHE of one certificate */
interface PCache {
  anyPolicy?: PData;
  /** undefined: no certificatePolicies extension */
  data?: PData[];
  explicitSkip: number;
  mapSkip: number;
  anySkip: number;
  /** EXFLAG_INVALID_POLICY: a policy listed twice, or a mapping to or from anyPolicy */
  invalid: boolean;
}

/** One node of the printed sets: what X509_POLICY_NODE_print shows */
export interface PolicyNodeInfo {
  policy: string;
  critical: boolean;
  /** undefined: "No Qualifiers" */
  qualifiers?: Qualifiers;
}

/** What policies_print (apps/lib/apps.c) prints: X509_STORE_CTX_get_explicit_policy and the tree's two sets */
export interface PolicyReport {
  explicit: boolean;
  /** X509_policy_tree_get0_policies; undefined when there is no tree */
  authority?: PolicyNodeInfo[];
  /** X509_policy_tree_get0_user_policies; undefined when none */
  user?: PolicyNodeInfo[];
}

/** OBJ_cmp: content length first, then the bytes */
function objCmp(a: string, b: string): number {
  if (a === b) return 0;
  const x = derOid(a).subarray(2);
  const y = derOid(b).subarray(2);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/**
 * A STACK with a comparison function: find() sorts it first when it is not sorted (OpenSSL
 * 3.0's OPENSSL_sk_find), push() leaves it unsorted, and nothing else sorts it, so the order
 * it is walked (and printed) in depends on when the last find ran: a certificate's policies
 * are in OID order but for the last one listed, and so are the printed sets.
 */
class SortedStack<T> {
  items: T[] = [];
  private sorted = false;
  constructor(private readonly key: (t: T) => string) {}
  find(policy: string): T | undefined {
    this.sort();
    return this.items.find((t) => this.key(t) === policy);
  }
  push(t: T): void {
    this.items.push(t);
    this.sorted = false;
  }
  sort(): void {
    if (this.sorted) return;
    this.items.sort((a, b) => objCmp(this.key(a), this.key(b)));
    this.sorted = true;
  }
}

/** policy_cache_new: the certificate's policies, mappings and skip counts */
function policyCache(c: Certificate): PCache {
  const pc = c.ext.policyConstraints;
  const cache: PCache = {
    explicitSkip: pc?.requireExplicitPolicy ?? -1,
    mapSkip: pc?.inhibitPolicyMapping ?? -1,
    anySkip: -1,
    invalid: false,
  };
  const cps = c.ext.certificatePolicies;
  // no certificatePolicies: the mappings and inhibitAnyPolicy are never read
  if (!cps) return cache;
  const crit = c.extensions.some((e) => e.oid === OID.certificatePolicies && e.critical);
  const data = new SortedStack<PData>((d) => d.policy);
  for (const p of cps) {
    const d: PData = {
      policy: p.oid,
      flags: crit ? CRITICAL : 0,
      expected: [],
      ...(p.qualifiers.length ? { qualifiers: p.qualifiers } : {}),
    };
    if (p.oid === ANY ? cache.anyPolicy : data.find(p.oid)) {
      cache.invalid = true;
      return cache;
    }
    if (p.oid === ANY) cache.anyPolicy = d;
    else data.push(d);
  }
  for (const m of c.ext.policyMappings ?? []) {
    if (m.issuerDomainPolicy === ANY || m.subjectDomainPolicy === ANY) {
      cache.invalid = true;
      break;
    }
    let d = data.find(m.issuerDomainPolicy);
    if (!d && !cache.anyPolicy) continue;
    if (!d) {
      const any: PData = cache.anyPolicy!;
      d = { policy: m.issuerDomainPolicy, flags: (any.flags & CRITICAL) | MAPPED_ANY, qualifiers: any.qualifiers, expected: [] };
      data.push(d);
    } else d.flags |= MAPPED;
    d.expected.push(m.subjectDomainPolicy);
  }
  cache.data = data.items;
  if (c.ext.inhibitAnyPolicy !== undefined) cache.anySkip = c.ext.inhibitAnyPolicy;
  return cache;
}

/** X509_PCY_TREE_* results of tree_init / X509_policy_check */
const TREE_VALID = 1;
const TREE_EMPTY = 2;
const TREE_EXPLICIT = 4;

class OTree {
  levels: OLevel[] = [];
  authPolicies: ONode[] = [];
  userPolicies?: ONode[];
  anyPolicyUser = false;

  add(level: OLevel | undefined, data: PData, parent: ONode | undefined): ONode {
    const node: ONode = { data, parent, nchild: 0 };
    if (level) {
      if (data.policy === ANY) level.anyPolicy = node;
      else level.nodes.push(node);
    }
    if (parent) parent.nchild++;
    return node;
  }
}

/** ossl_policy_node_match: the expected set once the data is mapped (and mapping is allowed) */
function nodeMatch(lvl: OLevel, node: ONode, oid: string): boolean {
  if (lvl.inhibitMap || !(node.data.flags & MAP_MASK)) return node.data.policy === oid;
  return node.data.expected.includes(oid);
}

/** tree_evaluate for one level: link the certificate's policies, then anyPolicy's, then prune */
function evaluateLevel(tree: OTree, i: number, cache: PCache): number {
  const curr = tree.levels[i];
  const last = tree.levels[i - 1];
  // tree_link_nodes (6.1.3 (d)(1))
  for (const data of cache.data ?? []) {
    let matched = false;
    for (const node of last.nodes) {
      if (nodeMatch(last, node, data.policy)) {
        tree.add(curr, data, node);
        matched = true;
      }
    }
    if (!matched && last.anyPolicy) tree.add(curr, data, last.anyPolicy);
  }
  // tree_link_any (6.1.3 (d)(2))
  if (!curr.inhibitAny && cache.anyPolicy) {
    const any = cache.anyPolicy;
    const unmatched = (node: ONode, id: string) =>
      tree.add(curr, { policy: id, flags: node.data.flags & CRITICAL, qualifiers: any.qualifiers, expected: [] }, node);
    for (const node of last.nodes) {
      if (last.inhibitMap || !(node.data.flags & MAPPED)) {
        if (node.nchild === 0) unmatched(node, node.data.policy);
      } else if (node.nchild !== node.data.expected.length) {
        for (const oid of node.data.expected) {
          if (!curr.nodes.some((n) => n.parent === node && n.data.policy === oid)) unmatched(node, oid);
        }
      }
    }
    if (last.anyPolicy) tree.add(curr, any, last.anyPolicy);
  }
  // tree_prune
  const drop = (lvl: OLevel, k: number) => {
    const n = lvl.nodes[k];
    if (n.parent) n.parent.nchild--;
    lvl.nodes.splice(k, 1);
  };
  if (curr.inhibitMap) for (let k = curr.nodes.length - 1; k >= 0; k--) if (curr.nodes[k].data.flags & MAP_MASK) drop(curr, k);
  for (let d = i - 1; d >= 0; d--) {
    const lvl = tree.levels[d];
    for (let k = lvl.nodes.length - 1; k >= 0; k--) if (lvl.nodes[k].nchild === 0) drop(lvl, k);
    if (lvl.anyPolicy && lvl.anyPolicy.nchild === 0) {
      if (lvl.anyPolicy.parent) lvl.anyPolicy.parent.nchild--;
      lvl.anyPolicy = undefined;
    }
    if (d === 0 && !lvl.anyPolicy) return TREE_EMPTY;
  }
  return TREE_VALID;
}

const info = (n: ONode): PolicyNodeInfo => ({
  policy: n.data.policy,
  critical: (n.data.flags & CRITICAL) !== 0,
  ...(n.data.qualifiers ? { qualifiers: n.data.qualifiers } : {}),
});

/**
 * X509_policy_check over the chain (leaf first, trust anchor last) with the X509_V_FLAG_*
 * policy flags and the -policy set: NO_EXPLICIT_POLICY when an explicit policy is required
 * and none is acceptable, with what policies_print would print then (or after success).
 */
export function opensslPolicyCheck(
  ctx: Ctx,
  inputs: PolicyInputs = {},
): {
  code: typeof X509_V_OK | typeof X509_V_ERR.INVALID_POLICY_EXTENSION | typeof X509_V_ERR.NO_EXPLICIT_POLICY;
  report: PolicyReport;
  /** INVALID_POLICY_EXTENSION: the depths of the certificates at fault */
  invalid?: number[];
} {
  const certs = ctx.chain;
  const n = certs.length - 1;
  const none = (code: typeof X509_V_OK | typeof X509_V_ERR.NO_EXPLICIT_POLICY, explicit = false) => ({ code, report: { explicit } });
  if (n <= 0) return none(X509_V_OK);
  const caches = certs.map((c, i) => (i < n ? policyCache(c) : undefined));
  const si = (i: number) => certInfo(certs[i]).selfIssued;
  // tree_init
  let ret = TREE_VALID;
  let explicit = inputs.initialExplicitPolicy ? 0 : n + 1;
  for (let i = n - 1; i >= 0 && (explicit > 0 || !(ret & TREE_EMPTY)); i--) {
    const cache = caches[i]!;
    // check_policy then reports every certificate whose policies are invalid
    if (cache.invalid) {
      const invalid = caches.flatMap((c, d) => (c?.invalid ? [d] : []));
      return { code: X509_V_ERR.INVALID_POLICY_EXTENSION, report: { explicit: false }, invalid };
    }
    if (ret & TREE_VALID && !cache.data) ret = TREE_EMPTY;
    if (explicit > 0) {
      if (!si(i)) explicit--;
      if (cache.explicitSkip >= 0 && cache.explicitSkip < explicit) explicit = cache.explicitSkip;
    }
  }
  if (explicit === 0) ret |= TREE_EXPLICIT;
  const isExplicit = (ret & TREE_EXPLICIT) !== 0;
  if (!(ret & TREE_VALID)) return none(isExplicit ? X509_V_ERR.NO_EXPLICIT_POLICY : X509_V_OK, isExplicit);
  const tree = new OTree();
  tree.levels.push({ inhibitAny: false, inhibitMap: false, nodes: [] });
  tree.add(tree.levels[0], { policy: ANY, flags: 0, expected: [] }, undefined);
  let anySkip = inputs.initialAnyPolicyInhibit ? 0 : n + 1;
  let mapSkip = inputs.initialPolicyMappingInhibit ? 0 : n + 1;
  for (let i = n - 1; i >= 0; i--) {
    const cache = caches[i]!;
    const level: OLevel = { inhibitAny: !cache.anyPolicy, inhibitMap: false, nodes: [] };
    if (anySkip === 0) {
      // anyPolicy still matches in a self-issued certificate that is not the leaf
      if (!si(i) || i === 0) level.inhibitAny = true;
    } else {
      if (!si(i)) anySkip--;
      if (cache.anySkip >= 0 && cache.anySkip < anySkip) anySkip = cache.anySkip;
    }
    if (mapSkip === 0) level.inhibitMap = true;
    else {
      if (!si(i)) mapSkip--;
      if (cache.mapSkip >= 0 && cache.mapSkip < mapSkip) mapSkip = cache.mapSkip;
    }
    tree.levels.push(level);
  }
  // tree_evaluate: level k holds the certificate at chain index n - k
  for (let k = 1; k <= n; k++) {
    if (evaluateLevel(tree, k, caches[n - k]!) === TREE_EMPTY)
      return none(isExplicit ? X509_V_ERR.NO_EXPLICIT_POLICY : X509_V_OK, isExplicit);
  }
  // tree_calculate_authority_set: nodes whose parent is anyPolicy, one per policy
  const leafAny = tree.levels[n].anyPolicy;
  const authNodes = new SortedStack<ONode>((x) => x.data.policy);
  if (leafAny) tree.authPolicies.push(leafAny);
  for (let k = 1; k <= n; k++) {
    const anyptr = tree.levels[k - 1].anyPolicy;
    if (!anyptr) break;
    for (const node of tree.levels[k].nodes) if (node.parent === anyptr && !authNodes.find(node.data.policy)) authNodes.push(node);
  }
  // tree_calculate_user_set
  const oids = inputs.initialPolicySet ?? [];
  if (oids.includes(ANY)) tree.anyPolicyUser = true;
  else if (oids.length) {
    for (const oid of oids) {
      let node = authNodes.find(oid);
      if (!node) {
        if (!leafAny) continue;
        // a node with the -policy OID and anyPolicy's qualifiers, under anyPolicy's parent
        node = tree.add(
          undefined,
          { policy: oid, flags: leafAny.data.flags & CRITICAL, qualifiers: leafAny.data.qualifiers, expected: [] },
          leafAny.parent,
        );
      }
      (tree.userPolicies ??= []).push(node);
    }
  }
  // without anyPolicy at the leaf the authority set is those nodes (in the order the finds left them)
  if (!leafAny) tree.authPolicies = authNodes.items;
  const user = tree.anyPolicyUser ? tree.authPolicies : tree.userPolicies;
  const report: PolicyReport = {
    explicit: isExplicit,
    ...(tree.authPolicies.length ? { authority: tree.authPolicies.map(info) } : {}),
    ...(user?.length ? { user: user.map(info) } : {}),
  };
  if (isExplicit && !user?.length) return { code: X509_V_ERR.NO_EXPLICIT_POLICY, report };
  return { code: X509_V_OK, report };
}
