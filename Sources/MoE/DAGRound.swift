import LinearAlgebra

// One round of the DAG module (spec, "Forward" step 4), on all T·K nodes at once.
// Node r = t·K + i is node i of token t. With M = [M_t | M_s] split into its target and
// source halves, M c_ij = M_t h_i + M_s h_j and a · c_ij = a_t · h_i + a_s · h_j, so the
// per-node products P = h M_tᵀ, Q = h M_sᵀ and the scores a_t · h, a_s · h are computed
// once per node (as gemms) and only combined per pair:
//   e_ij = σ(a_t · h_i + a_s · h_j + b),   m_i = (Σ_j e_ij) P_i + Σ_j e_ij Q_j.

/// The names of round l's weights.
struct DAGRoundNames: Sendable {
    let normWeight: String, normBias: String, down: String, edgeWeight: String, edgeBias: String
    let node: String, up: String

    init(round l: Int) {
        normWeight = ParameterName.dag(l, "norm.weight")
        normBias = ParameterName.dag(l, "norm.bias")
        down = ParameterName.dag(l, "down.weight")
        edgeWeight = ParameterName.dag(l, "edge.weight")
        edgeBias = ParameterName.dag(l, "edge.bias")
        node = ParameterName.dag(l, "node.weight")
        up = ParameterName.dag(l, "up.weight")
    }
}

/// What one round's backward needs.
struct DAGRoundCache<Scalar: BLASScalar>: Sendable {
    /// The round's input x^{l−1}, [T·K, d].
    let input: Buffer<Scalar>
    let norm: NormCache<Scalar>
    /// u = norm(x^{l−1}), [T·K, d].
    let u: Buffer<Scalar>
    /// h = u Dᵀ, [T·K, d_g].
    let h: Buffer<Scalar>
    /// e, [T, K, K]: [t, i, j] is the gate of the edge from source j to target i.
    let edges: Buffer<Scalar>
    /// P = h M_tᵀ and Q = h M_sᵀ, [T·K, d_g].
    let p: Buffer<Scalar>, q: Buffer<Scalar>
    /// m, [T·K, d_g].
    let messages: Buffer<Scalar>
    /// R = h Aᵀ with the bilinear scorer (row j is A h_j), else nil.
    let bilinear: Buffer<Scalar>?
}

/// Round l forward: returns x^l = x^{l−1} + m Uᵀ ([T·K, d]) and the cache. With `fixedEdges`
/// ([T, K, K]) the round uses those gates instead of computing them.
func dagRoundForward<Scalar: BLASScalar>(
    round l: Int, config: LayerConfig, shape s: LayerShape, input x: Buffer<Scalar>,
    parameters: Parameters<Scalar>, fixedEdges: Buffer<Scalar>? = nil
) -> (output: Buffer<Scalar>, cache: DAGRoundCache<Scalar>) {
    let names = DAGRoundNames(round: l)
    let rows = s.nodes, d = s.d, g = s.g, k = s.k

    // u = norm(x^{l−1}).
    let u = Buffer<Scalar>(uninitialized: rows * d)
    let norm = parameters.withValues(names.normWeight) { w in
        if config.norm == .layernorm {
            return parameters.withValues(names.normBias) { b in
                normForward(.layernorm, rows: rows, d: d, eps: Scalar(config.normEps), x: x.p,
                            weight: w, bias: b, out: u.p)
            }
        }
        return normForward(.rmsnorm, rows: rows, d: d, eps: Scalar(config.normEps), x: x.p,
                           weight: w, bias: nil, out: u.p)
    }

    // h = u Dᵀ: [T·K, d] × [d, d_g].
    let h = Buffer<Scalar>(uninitialized: rows * g)
    parameters.withValues(names.down) { down in
        Scalar.gemm(transA: false, transB: true, m: rows, n: g, k: d, alpha: 1, a: u.p, lda: d,
                    b: down, ldb: d, beta: 0, c: h.p, ldc: g)
    }

    // P = h M_tᵀ, Q = h M_sᵀ: M is [d_g, 2·d_g], its halves are columns 0..<d_g and d_g..<2d_g.
    let p = Buffer<Scalar>(uninitialized: rows * g), q = Buffer<Scalar>(uninitialized: rows * g)
    parameters.withValues(names.node) { m in
        Scalar.gemm(transA: false, transB: true, m: rows, n: g, k: g, alpha: 1, a: h.p, lda: g,
                    b: m, ldb: 2 * g, beta: 0, c: p.p, ldc: g)
        Scalar.gemm(transA: false, transB: true, m: rows, n: g, k: g, alpha: 1, a: h.p, lda: g,
                    b: m + g, ldb: 2 * g, beta: 0, c: q.p, ldc: g)
    }

    // Per-node scores scoreT = h a_tᵀ and scoreS = h a_sᵀ ([T·K, d_g] × [d_g, 1]).
    let scoreT = Buffer<Scalar>(uninitialized: rows), scoreS = Buffer<Scalar>(uninitialized: rows)
    parameters.withValues(names.edgeWeight) { a in
        Scalar.gemm(transA: false, transB: false, m: rows, n: 1, k: g, alpha: 1, a: h.p, lda: g,
                    b: a, ldb: 1, beta: 0, c: scoreT.p, ldc: 1)
        Scalar.gemm(transA: false, transB: false, m: rows, n: 1, k: g, alpha: 1, a: h.p, lda: g,
                    b: a + g, ldb: 1, beta: 0, c: scoreS.p, ldc: 1)
    }
    // Bilinear scorer (extension): R = h Aᵀ, so h_iᵀ A h_j = h_i · R_j.
    var bilinear: Buffer<Scalar>? = nil
    if config.extensions.edgeScorer == .bilinear {
        let r = Buffer<Scalar>(uninitialized: rows * g)
        parameters.withValues(ParameterName.bilinear(l)) { a in
            Scalar.gemm(transA: false, transB: true, m: rows, n: g, k: g, alpha: 1, a: h.p, lda: g,
                        b: a, ldb: g, beta: 0, c: r.p, ldc: g)
        }
        bilinear = r
    }
    let r = bilinear

    // e_ij = σ(scoreT_i + scoreS_j + b [+ h_i · R_j]) and m_i = (Σ_j e_ij) P_i + Σ_j e_ij Q_j, token by token.
    let edges = Buffer<Scalar>(uninitialized: s.tokens * k * k)
    let messages = Buffer<Scalar>(zeros: rows * g)
    let bias = parameters.withValues(names.edgeBias) { $0[0] }
    Parallel.forEach(s.tokens, grain: 16) { range in
        for t in range {
            let e = edges.p + t * k * k, sT = scoreT.p + t * k, sS = scoreS.p + t * k
            for i in 0..<k {
                let mi = messages.p + (t * k + i) * g
                var rowSum: Scalar = 0
                for j in 0..<k {
                    let eij: Scalar
                    if let fixedEdges {
                        eij = fixedEdges.p[t * k * k + i * k + j]
                    } else {
                        var score = sT[i] + sS[j] + bias
                        if let r {
                            let hi = h.p + (t * k + i) * g, rj = r.p + (t * k + j) * g
                            for c in 0..<g { score += hi[c] * rj[c] }
                        }
                        eij = Scalar.sigmoid(score)
                    }
                    e[i * k + j] = eij
                    rowSum += eij
                    let qj = q.p + (t * k + j) * g
                    for c in 0..<g { mi[c] += eij * qj[c] }
                }
                let pi = p.p + (t * k + i) * g
                for c in 0..<g { mi[c] += rowSum * pi[c] }
            }
        }
    }

    // x^l = x^{l−1} + m Uᵀ: [T·K, d_g] × [d_g, d], added onto a copy of the input.
    let out = Buffer<Scalar>(uninitialized: rows * d)
    out.p.update(from: x.p, count: rows * d)
    parameters.withValues(names.up) { up in
        Scalar.gemm(transA: false, transB: true, m: rows, n: d, k: g, alpha: 1, a: messages.p, lda: g,
                    b: up, ldb: g, beta: 1, c: out.p, ldc: d)
    }
    return (out, DAGRoundCache(input: x, norm: norm, u: u, h: h, edges: edges, p: p, q: q, messages: messages,
                               bilinear: bilinear))
}

/// Round l backward. dOut is dJ/dx^l, [T·K, d]; dJ/dx^{l−1} is accumulated into dIn
/// ([T·K, d]) and the round's weight gradients into `gradients`.
func dagRoundBackward<Scalar: BLASScalar>(
    round l: Int, config: LayerConfig, shape s: LayerShape, cache: DAGRoundCache<Scalar>,
    dOut: Buffer<Scalar>, parameters: Parameters<Scalar>, gradients: inout Parameters<Scalar>,
    dIn: Buffer<Scalar>
) {
    let names = DAGRoundNames(round: l)
    let rows = s.nodes, d = s.d, g = s.g, k = s.k

    // x^l = x^{l−1} + m Uᵀ  ⇒  dx^{l−1} += dx^l (the residual),
    // dm = dx^l U ([T·K, d] × [d, d_g]) and dU += (dx^l)ᵀ m ([d, T·K] × [T·K, d_g]).
    Parallel.forEach(rows * d, grain: 65536) { range in
        for i in range { dIn.p[i] += dOut.p[i] }
    }
    let dm = Buffer<Scalar>(uninitialized: rows * g)
    parameters.withValues(names.up) { up in
        Scalar.gemm(transA: false, transB: false, m: rows, n: g, k: d, alpha: 1, a: dOut.p, lda: d,
                    b: up, ldb: g, beta: 0, c: dm.p, ldc: g)
    }
    gradients.withMutableValues(names.up) { dUp in
        Scalar.gemm(transA: true, transB: false, m: d, n: g, k: rows, alpha: 1, a: dOut.p, lda: d,
                    b: cache.messages.p, ldb: g, beta: 1, c: dUp, ldc: g)
    }

    // m_i = Σ_j e_ij (P_i + Q_j)  ⇒  de_ij = dm_i · P_i + dm_i · Q_j,
    //   dP_i = (Σ_j e_ij) dm_i,  dQ_j = Σ_i e_ij dm_i.
    // e_ij = σ(s_ij)  ⇒  ds_ij = de_ij e_ij (1 − e_ij).
    // s_ij = scoreT_i + scoreS_j + b  ⇒  db += Σ ds_ij, and per node
    //   dScoreT_i = Σ_j ds_ij (its target score), dScoreS_j = Σ_i ds_ij (its source score).
    // Tokens are independent; each chunk keeps its own partial db.
    let dp = Buffer<Scalar>(zeros: rows * g), dq = Buffer<Scalar>(zeros: rows * g)
    let dScoreT = Buffer<Scalar>(zeros: rows), dScoreS = Buffer<Scalar>(zeros: rows)
    let workers = Parallel.workers
    let dBiasPartial = Buffer<Scalar>(zeros: workers)
    // Bilinear scorer: dh_i += Σ_j ds_ij R_j here, and W_j = Σ_i ds_ij h_i for dh_j += Aᵀ W_j and dA = Wᵀ h.
    let bilinearDH: Buffer<Scalar>? = cache.bilinear.map { _ in Buffer(zeros: rows * g) }
    let bilinearW: Buffer<Scalar>? = cache.bilinear.map { _ in Buffer(zeros: rows * g) }
    let chunkCount = Parallel.chunks(s.tokens, grain: 16, workers: workers) { chunk, range in
        var dBias: Scalar = 0
        for t in range {
            let e = cache.edges.p + t * k * k
            for i in 0..<k {
                let dmi = dm.p + (t * k + i) * g, pi = cache.p.p + (t * k + i) * g
                let dpi = dp.p + (t * k + i) * g
                var dmDotP: Scalar = 0
                for c in 0..<g { dmDotP += dmi[c] * pi[c] }
                var rowSum: Scalar = 0
                for j in 0..<k {
                    let eij = e[i * k + j], qj = cache.q.p + (t * k + j) * g, dqj = dq.p + (t * k + j) * g
                    var dmDotQ: Scalar = 0
                    for c in 0..<g {
                        dmDotQ += dmi[c] * qj[c]
                        dqj[c] += eij * dmi[c]
                    }
                    let ds = (dmDotP + dmDotQ) * eij * (1 - eij)
                    if let r = cache.bilinear, let bilinearDH, let bilinearW {
                        let hi = cache.h.p + (t * k + i) * g
                        let rj = r.p + (t * k + j) * g
                        let dhi = bilinearDH.p + (t * k + i) * g, wj = bilinearW.p + (t * k + j) * g
                        for c in 0..<g {
                            dhi[c] += ds * rj[c]
                            wj[c] += ds * hi[c]
                        }
                    }
                    dScoreT.p[t * k + i] += ds
                    dScoreS.p[t * k + j] += ds
                    dBias += ds
                    rowSum += eij
                }
                for c in 0..<g { dpi[c] += rowSum * dmi[c] }
            }
        }
        dBiasPartial.p[chunk] = dBias
    }
    gradients.withMutableValues(names.edgeBias) { db in
        for c in 0..<chunkCount { db[0] += dBiasPartial.p[c] }
    }

    // scoreT = h a_tᵀ, scoreS = h a_sᵀ  ⇒  da_t += hᵀ dScoreT, da_s += hᵀ dScoreS
    // ([d_g, T·K] × [T·K, 1]) and dh = dScoreT a_t + dScoreS a_s (outer products, k = 1;
    // the P and Q paths add onto dh below).
    let dh = Buffer<Scalar>(uninitialized: rows * g)
    gradients.withMutableValues(names.edgeWeight) { da in
        Scalar.gemm(transA: true, transB: false, m: g, n: 1, k: rows, alpha: 1, a: cache.h.p, lda: g,
                    b: dScoreT.p, ldb: 1, beta: 1, c: da, ldc: 1)
        Scalar.gemm(transA: true, transB: false, m: g, n: 1, k: rows, alpha: 1, a: cache.h.p, lda: g,
                    b: dScoreS.p, ldb: 1, beta: 1, c: da + g, ldc: 1)
    }
    parameters.withValues(names.edgeWeight) { a in
        Scalar.gemm(transA: false, transB: false, m: rows, n: g, k: 1, alpha: 1, a: dScoreT.p, lda: 1,
                    b: a, ldb: g, beta: 0, c: dh.p, ldc: g)
        Scalar.gemm(transA: false, transB: false, m: rows, n: g, k: 1, alpha: 1, a: dScoreS.p, lda: 1,
                    b: a + g, ldb: g, beta: 1, c: dh.p, ldc: g)
    }

    if let bilinearDH, let bilinearW {
        for c in 0..<(rows * g) { dh.p[c] += bilinearDH.p[c] }
        parameters.withValues(ParameterName.bilinear(l)) { a in
            Scalar.gemm(transA: false, transB: false, m: rows, n: g, k: g, alpha: 1, a: bilinearW.p, lda: g,
                        b: a, ldb: g, beta: 1, c: dh.p, ldc: g)
        }
        gradients.withMutableValues(ParameterName.bilinear(l)) { dA in
            Scalar.gemm(transA: true, transB: false, m: g, n: g, k: rows, alpha: 1, a: bilinearW.p, lda: g,
                        b: cache.h.p, ldb: g, beta: 1, c: dA, ldc: g)
        }
    }

    // P = h M_tᵀ, Q = h M_sᵀ  ⇒  dh += dP M_t + dQ M_s ([T·K, d_g] × [d_g, d_g]),
    // dM_t += dPᵀ h and dM_s += dQᵀ h (the two column halves of dM, row stride 2·d_g).
    parameters.withValues(names.node) { m in
        Scalar.gemm(transA: false, transB: false, m: rows, n: g, k: g, alpha: 1, a: dp.p, lda: g,
                    b: m, ldb: 2 * g, beta: 1, c: dh.p, ldc: g)
        Scalar.gemm(transA: false, transB: false, m: rows, n: g, k: g, alpha: 1, a: dq.p, lda: g,
                    b: m + g, ldb: 2 * g, beta: 1, c: dh.p, ldc: g)
    }
    gradients.withMutableValues(names.node) { dM in
        Scalar.gemm(transA: true, transB: false, m: g, n: g, k: rows, alpha: 1, a: dp.p, lda: g,
                    b: cache.h.p, ldb: g, beta: 1, c: dM, ldc: 2 * g)
        Scalar.gemm(transA: true, transB: false, m: g, n: g, k: rows, alpha: 1, a: dq.p, lda: g,
                    b: cache.h.p, ldb: g, beta: 1, c: dM + g, ldc: 2 * g)
    }

    // h = u Dᵀ  ⇒  du = dh D ([T·K, d_g] × [d_g, d]) and dD += dhᵀ u ([d_g, T·K] × [T·K, d]).
    let du = Buffer<Scalar>(uninitialized: rows * d)
    parameters.withValues(names.down) { down in
        Scalar.gemm(transA: false, transB: false, m: rows, n: d, k: g, alpha: 1, a: dh.p, lda: g,
                    b: down, ldb: d, beta: 0, c: du.p, ldc: d)
    }
    gradients.withMutableValues(names.down) { dDown in
        Scalar.gemm(transA: true, transB: false, m: g, n: d, k: rows, alpha: 1, a: dh.p, lda: g,
                    b: cache.u.p, ldb: d, beta: 1, c: dDown, ldc: d)
    }

    // u = norm(x^{l−1})  ⇒  dx^{l−1} += normᵀ(du); the norm's weight (and bias) gradients
    // are gathered in scratch and added to `gradients`.
    let dNormW = Buffer<Scalar>(zeros: d)
    let dNormB: Buffer<Scalar>? = config.norm == .layernorm ? Buffer(zeros: d) : nil
    parameters.withValues(names.normWeight) { w in
        normBackward(config.norm, rows: rows, d: d, x: cache.input.p, cache: cache.norm, weight: w,
                     dOut: du.p, dX: dIn.p, dWeight: dNormW.p, dBias: dNormB?.p)
    }
    gradients.withMutableValues(names.normWeight) { gw in
        for c in 0..<d { gw[c] += dNormW.p[c] }
    }
    if let dNormB {
        gradients.withMutableValues(names.normBias) { gb in
            for c in 0..<d { gb[c] += dNormB.p[c] }
        }
    }
}
