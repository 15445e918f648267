import LinearAlgebra

// The router: logits z = x Rᵀ, probabilities p = softmax(z), the top-K selection S
// and the gates g, forward and backward (spec, "Forward" step 1).

/// What the router's backward needs, and the selection the rest of the layer uses.
struct RouterCache<Scalar: BLASScalar>: Sendable {
    /// z = x Rᵀ, [T, N].
    let logits: Buffer<Scalar>
    /// The scores, [T, N]: p = softmax(z) row by row, or s = σ(z) (extension `router_scores`).
    let probs: Buffer<Scalar>
    /// logsumexp(z) per token, [T] (the z-loss's argument).
    let logSumExp: Buffer<Scalar>
    /// S, [T, K]: the K experts with the largest selection score (the score, plus the
    /// selection bias when there is one) in descending order, ties lower index first.
    let topk: [Int]
    /// g, [T, K]: p[S_i] (`softmax_topk`) or softmax(z[S])_i (`topk_softmax`); with sigmoid
    /// scores s[S_i] or s[S_i] / Σ_j s[S_j].
    let gates: Buffer<Scalar>
    let scores: LayerExtensions.RouterScores
    /// The sparse mixer's jitter ε (extension `sparse_mixer`), else nil.
    let sparseMixer: Double?
}

/// Router forward. x is [T, d], weight R is [N, d]; `groups` restricts the selection
/// (extension `router_groups`, ``RouterGroups``), `scores` picks softmax or sigmoid scores
/// and `bias` ([N], extension `selection_bias`) shifts the scores the selection ranks;
/// `logitBias` ([N], extension `router_bias`) is added to z.
func routerForward<Scalar: BLASScalar>(
    _ kind: LayerConfig.Router, shape s: LayerShape,
    x: UnsafePointer<Scalar>, weight: UnsafePointer<Scalar>, groups: RouterGroups? = nil,
    scores: LayerExtensions.RouterScores = .softmax, bias: UnsafePointer<Scalar>? = nil,
    logitBias: UnsafePointer<Scalar>? = nil, sparseMixer: Double? = nil
) -> RouterCache<Scalar> {
    let t = s.tokens, n = s.n, k = s.k
    let logits = Buffer<Scalar>(uninitialized: t * n)
    let probs = Buffer<Scalar>(uninitialized: t * n)
    let lse = Buffer<Scalar>(uninitialized: t)
    let gates = Buffer<Scalar>(uninitialized: t * k)
    var topk = [Int](repeating: 0, count: t * k)

    // z = x Rᵀ: [T, d] × [d, N].
    Scalar.gemm(transA: false, transB: true, m: t, n: n, k: s.d, alpha: 1, a: x, lda: s.d,
                b: weight, ldb: s.d, beta: 0, c: logits.p, ldc: n)
    // z += c (extension router_bias).
    if let logitBias { for tok in 0..<t { for e in 0..<n { logits.p[tok * n + e] += logitBias[e] } } }

    topk.withUnsafeMutableBufferPointer { sel in
        let selection = sel.baseAddress!
        Parallel.forEach(t, grain: 64) { range in
            for tok in range {
                routeToken(kind, scores: scores, experts: n, topK: k, logits: logits.p + tok * n,
                           probs: probs.p + tok * n, logSumExp: lse.p + tok, selection: selection + tok * k,
                           gates: gates.p + tok * k, groups: groups, bias: bias)
                if let eps = sparseMixer {
                    sparseMixerGates(logits.p + tok * n, experts: n, selection: selection + tok * k, topK: k,
                                     epsilon: eps, gates: gates.p + tok * k)
                }
            }
        }
    }
    return RouterCache(logits: logits, probs: probs, logSumExp: lse, topk: topk, gates: gates, scores: scores,
                       sparseMixer: sparseMixer)
}

/// One token's router step: the scores, logsumexp(z), S and g, from z ([N]).
private func routeToken<Scalar: BLASScalar>(
    _ kind: LayerConfig.Router, scores: LayerExtensions.RouterScores, experts n: Int, topK k: Int,
    logits z: UnsafePointer<Scalar>, probs p: UnsafeMutablePointer<Scalar>, logSumExp lse: UnsafeMutablePointer<Scalar>,
    selection row: UnsafeMutablePointer<Int>, gates g: UnsafeMutablePointer<Scalar>, groups: RouterGroups?,
    bias: UnsafePointer<Scalar>?
) {
    // p = softmax(z), shifted by max(z) so that exp never overflows;
    // logsumexp(z) = max + log Σ exp(z − max).
    var zmax = z[0]
    for e in 1..<n where z[e] > zmax { zmax = z[e] }
    var sum: Scalar = 0
    for e in 0..<n {
        p[e] = Scalar.exp(z[e] - zmax)
        sum += p[e]
    }
    let inv = 1 / sum
    for e in 0..<n { p[e] *= inv }
    lse.pointee = zmax + Scalar.log(sum)
    if scores == .sigmoid { for e in 0..<n { p[e] = Scalar.sigmoid(z[e]) } }

    // The selection scores: p, or p + b with a selection bias.
    if let bias {
        let key = (0..<n).map { p[$0] + bias[$0] }
        key.withUnsafeBufferPointer { select($0.baseAddress!, experts: n, topK: k, groups: groups, into: row) }
    } else {
        select(UnsafePointer(p), experts: n, topK: k, groups: groups, into: row)
    }

    switch (kind, scores) {
    case (.softmaxTopK, _):
        // g_i = p[S_i], not renormalised.
        for i in 0..<k { g[i] = p[row[i]] }
    case (.topKSoftmax, .softmax):
        // g = softmax(z[S]), shifted by the largest selected logit.
        var smax = z[row[0]]
        for i in 1..<k where z[row[i]] > smax { smax = z[row[i]] }
        var gsum: Scalar = 0
        for i in 0..<k {
            g[i] = Scalar.exp(z[row[i]] - smax)
            gsum += g[i]
        }
        for i in 0..<k { g[i] /= gsum }
    case (.topKSoftmax, .sigmoid):
        // g_i = s[S_i] / Σ_j s[S_j].
        var ssum: Scalar = 0
        for i in 0..<k { ssum += p[row[i]] }
        for i in 0..<k { g[i] = p[row[i]] / ssum }
    }
}

/// S: the K largest of `key` ([N]) among the experts `groups` allows, by insertion into a
/// descending list of K; an equal key never moves ahead of an earlier (lower) index, so
/// ties go to the lower index.
private func select<Scalar: BLASScalar>(_ key: UnsafePointer<Scalar>, experts n: Int, topK k: Int,
                                        groups: RouterGroups?, into row: UnsafeMutablePointer<Int>) {
    var count = 0
    let allowed = groups?.allowed(key, experts: n)
    for e in 0..<n {
        if let allowed, !allowed[e] { continue }
        let v = key[e]
        if count == k && !(v > key[row[k - 1]]) { continue }
        var j = count == k ? k - 1 : count
        while j > 0 && v > key[row[j - 1]] {
            row[j] = row[j - 1]
            j -= 1
        }
        row[j] = e
        if count < k { count += 1 }
    }
}

/// Router backward: from dJ/dg (and whatever dJ/dp and dJ/dz the auxiliary losses have
/// already accumulated) to dJ/dx and dJ/dR. The selection S is piecewise constant and
/// passes no gradient.
///
/// - Parameters:
///   - dGates: dJ/dg, [T, K].
///   - dProbs: [T, N], holds dJ/dp from other terms on entry; used as scratch.
///   - dLogits: [T, N], holds dJ/dz from other terms on entry; holds the full dJ/dz on return.
///   - x: the forward input, [T, d].
///   - dX: [T, d], accumulated into. dWeight: [N, d], accumulated into.
func routerBackward<Scalar: BLASScalar>(
    _ kind: LayerConfig.Router, shape s: LayerShape, cache: RouterCache<Scalar>,
    dGates: UnsafePointer<Scalar>, dProbs: Buffer<Scalar>, dLogits: Buffer<Scalar>,
    x: UnsafePointer<Scalar>, weight: UnsafePointer<Scalar>,
    dX: UnsafeMutablePointer<Scalar>, dWeight: UnsafeMutablePointer<Scalar>
) {
    let t = s.tokens, n = s.n, k = s.k
    cache.topk.withUnsafeBufferPointer { sel in
        let selection = sel.baseAddress!
        Parallel.forEach(t, grain: 64) { range in
            for tok in range {
                let row = selection + tok * k
                let p = cache.probs.p + tok * n, dp = dProbs.p + tok * n, dz = dLogits.p + tok * n
                let g = cache.gates.p + tok * k, dg = dGates + tok * k
                switch (kind, cache.scores) {
                case _ where cache.sparseMixer != nil:
                    sparseMixerBackward(cache.logits.p + tok * n, experts: n, selection: row, topK: k,
                                        epsilon: cache.sparseMixer!, gates: g, dGates: dg, dLogits: dz)
                case (.softmaxTopK, _):
                    // g_i = p[S_i]  ⇒  dp[S_i] += dg_i.
                    for i in 0..<k { dp[row[i]] += dg[i] }
                case (.topKSoftmax, .softmax):
                    // g = softmax(z[S])  ⇒  dz[S_i] += g_i (dg_i − Σ_k g_k dg_k).
                    var gdg: Scalar = 0
                    for i in 0..<k { gdg += g[i] * dg[i] }
                    for i in 0..<k { dz[row[i]] += g[i] * (dg[i] - gdg) }
                case (.topKSoftmax, .sigmoid):
                    // g_i = s[S_i] / Σ  ⇒  ds[S_i] += (dg_i − Σ_k g_k dg_k) / Σ.
                    var gdg: Scalar = 0, ssum: Scalar = 0
                    for i in 0..<k {
                        gdg += g[i] * dg[i]
                        ssum += p[row[i]]
                    }
                    for i in 0..<k { dp[row[i]] += (dg[i] - gdg) / ssum }
                }
                switch cache.scores {
                case .softmax:
                    // p = softmax(z)  ⇒  dz_e += p_e (dp_e − Σ_f p_f dp_f).
                    var pdp: Scalar = 0
                    for e in 0..<n { pdp += p[e] * dp[e] }
                    for e in 0..<n { dz[e] += p[e] * (dp[e] - pdp) }
                case .sigmoid:
                    // s = σ(z)  ⇒  dz_e += s_e (1 − s_e) ds_e.
                    for e in 0..<n { dz[e] += p[e] * (1 - p[e]) * dp[e] }
                }
            }
        }
    }
    // z = x Rᵀ  ⇒  dx += dz R ([T, N] × [N, d]) and dR += dzᵀ x ([N, T] × [T, d]).
    Scalar.gemm(transA: false, transB: false, m: t, n: s.d, k: n, alpha: 1, a: dLogits.p, lda: n,
                b: weight, ldb: s.d, beta: 1, c: dX, ldc: s.d)
    Scalar.gemm(transA: true, transB: false, m: n, n: s.d, k: t, alpha: 1, a: dLogits.p, lda: n,
                b: x, ldb: s.d, beta: 1, c: dWeight, ldc: s.d)
}

/// `body` with a pointer to `values`' storage, or nil when there are none.
func withOptionalPointer<T, R>(_ values: [T]?, _ body: (UnsafePointer<T>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress!) }
}
