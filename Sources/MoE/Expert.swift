import LinearAlgebra

// SwiGLU experts (spec, "Forward" step 2): E(x) = W2 (silu(W1 x) ⊙ (W3 x)), forward
// and backward on a block of rows, and the routed experts run batched: the (token, slot)
// pairs are grouped by expert so that each expert is three gemms over its rows.

/// One expert's activations on a block of rows, kept for backward.
struct SwiGLUActivations<Scalar: BLASScalar>: Sendable {
    /// a = x W1ᵀ and b = x W3ᵀ, [rows, d_ff].
    let a: Buffer<Scalar>, b: Buffer<Scalar>
    /// h = silu(a) ⊙ b, [rows, d_ff].
    let h: Buffer<Scalar>
    /// E(x) = h W2ᵀ, [rows, d].
    let out: Buffer<Scalar>

    /// Room for `rows` rows, every one of which `swigluForward` then writes.
    init(rows: Int, dModel d: Int, dFF ff: Int) {
        a = Buffer(uninitialized: rows * ff)
        b = Buffer(uninitialized: rows * ff)
        h = Buffer(uninitialized: rows * ff)
        out = Buffer(uninitialized: rows * d)
    }
}

/// The names of one SwiGLU expert's three weights, and of their biases when it has them.
struct SwiGLUNames: Sendable {
    let w1: String, w2: String, w3: String
    /// `experts.{e}.w1.bias`, `w2.bias`, `w3.bias` (extension `expert_bias`), else nil.
    var biases: (b1: String, b2: String, b3: String)? = nil

    /// Routed expert e, with biases when `biased`.
    static func expert(_ e: Int, biased: Bool = false) -> SwiGLUNames {
        SwiGLUNames(w1: ParameterName.expert(e, "w1"), w2: ParameterName.expert(e, "w2"),
                    w3: ParameterName.expert(e, "w3"),
                    biases: biased ? (ParameterName.expertBias(e, "w1"), ParameterName.expertBias(e, "w2"),
                                      ParameterName.expertBias(e, "w3")) : nil)
    }

    /// The shared expert.
    static let shared = SwiGLUNames(w1: ParameterName.shared("w1"), w2: ParameterName.shared("w2"),
                                    w3: ParameterName.shared("w3"))
}

/// Adds `bias` ([cols]) to each of the `rows` rows of `m` ([rows, cols]).
private func addRows<Scalar: BLASScalar>(_ m: UnsafeMutablePointer<Scalar>, rows: Int, cols: Int, bias: UnsafePointer<Scalar>) {
    for r in 0..<rows { for c in 0..<cols { m[r * cols + c] += bias[c] } }
}

/// Accumulates the column sums of `m` ([rows, cols]) into `sums` ([cols]): a bias's gradient.
private func addColumnSums<Scalar: BLASScalar>(_ m: UnsafePointer<Scalar>, rows: Int, cols: Int, into sums: UnsafeMutablePointer<Scalar>) {
    for r in 0..<rows { for c in 0..<cols { sums[c] += m[r * cols + c] } }
}

/// Rows `first..<first+rows` of a batch, all run through the expert `names`.
struct SwiGLUBlock: Sendable {
    let first: Int, rows: Int
    let names: SwiGLUNames
}

/// SwiGLU forward over `blocks` (disjoint row ranges of a batch, each with its own
/// expert). x is [rows, d]; W1, W3 are [d_ff, d] and W2 is [d, d_ff].
/// Each block runs its gemms and its element-wise step back to back, while its
/// activations are still in cache. With `clamp` the activation is ``ClampedSwiGLU``; a
/// block whose names have biases adds them after each linear map.
func swigluForward<Scalar: BLASScalar>(
    blocks: [SwiGLUBlock], dModel d: Int, dFF ff: Int, x: UnsafePointer<Scalar>,
    parameters: Parameters<Scalar>, into act: SwiGLUActivations<Scalar>, clamp: ClampedSwiGLU? = nil
) {
    for blk in blocks where blk.rows > 0 {
        let xb = x + blk.first * d, off = blk.first * ff
        let a = act.a.p + off, b = act.b.p + off, h = act.h.p + off
        // a = x W1ᵀ, b = x W3ᵀ: [rows, d] × [d, d_ff].
        parameters.withValues(blk.names.w1) { w1 in
            Scalar.gemm(transA: false, transB: true, m: blk.rows, n: ff, k: d, alpha: 1, a: xb, lda: d,
                        b: w1, ldb: d, beta: 0, c: a, ldc: ff)
        }
        parameters.withValues(blk.names.w3) { w3 in
            Scalar.gemm(transA: false, transB: true, m: blk.rows, n: ff, k: d, alpha: 1, a: xb, lda: d,
                        b: w3, ldb: d, beta: 0, c: b, ldc: ff)
        }
        if let names = blk.names.biases {
            parameters.withValues(names.b1) { addRows(a, rows: blk.rows, cols: ff, bias: $0) }
            parameters.withValues(names.b3) { addRows(b, rows: blk.rows, cols: ff, bias: $0) }
        }
        // h = silu(a) ⊙ b, silu(a) = a σ(a) (or the clamped form).
        Parallel.forEach(blk.rows * ff, grain: 16384) { range in
            if let clamp {
                for i in range { h[i] = clamp.forward(a[i], b[i]) }
            } else {
                for i in range { h[i] = a[i] * Scalar.sigmoid(a[i]) * b[i] }
            }
        }
        // E(x) = h W2ᵀ: [rows, d_ff] × [d_ff, d].
        parameters.withValues(blk.names.w2) { w2 in
            Scalar.gemm(transA: false, transB: true, m: blk.rows, n: d, k: ff, alpha: 1, a: h, lda: ff,
                        b: w2, ldb: ff, beta: 0, c: act.out.p + blk.first * d, ldc: d)
        }
        if let names = blk.names.biases {
            parameters.withValues(names.b2) { addRows(act.out.p + blk.first * d, rows: blk.rows, cols: d, bias: $0) }
        }
    }
}

/// SwiGLU backward over the blocks of `swigluForward`: accumulates dJ/dx into dX
/// ([rows, d]) and dJ/dW into `gradients`; dOut is dJ/dE(x), [rows, d]. dA and dB are
/// scratch of rows·d_ff values.
func swigluBackward<Scalar: BLASScalar>(
    blocks: [SwiGLUBlock], dModel d: Int, dFF ff: Int, x: UnsafePointer<Scalar>,
    parameters: Parameters<Scalar>, act: SwiGLUActivations<Scalar>, dOut: UnsafePointer<Scalar>,
    dX: UnsafeMutablePointer<Scalar>, gradients: inout Parameters<Scalar>,
    dA: UnsafeMutablePointer<Scalar>, dB: UnsafeMutablePointer<Scalar>, clamp: ClampedSwiGLU? = nil
) {
    for blk in blocks where blk.rows > 0 {
        let off = blk.first * ff
        let a = act.a.p + off, b = act.b.p + off, h = act.h.p + off, da = dA + off, db = dB + off
        let xb = x + blk.first * d, dOutB = dOut + blk.first * d, dXb = dX + blk.first * d
        // E = h W2ᵀ  ⇒  dh = dE W2 ([rows, d] × [d, d_ff]) and dW2 += dEᵀ h ([d, rows] × [rows, d_ff]).
        // dh goes into dA and becomes da in place below.
        parameters.withValues(blk.names.w2) { w2 in
            Scalar.gemm(transA: false, transB: false, m: blk.rows, n: ff, k: d, alpha: 1, a: dOutB, lda: d,
                        b: w2, ldb: ff, beta: 0, c: da, ldc: ff)
        }
        gradients.withMutableValues(blk.names.w2) { dW2 in
            Scalar.gemm(transA: true, transB: false, m: d, n: ff, k: blk.rows, alpha: 1, a: dOutB, lda: d,
                        b: h, ldb: ff, beta: 1, c: dW2, ldc: ff)
        }
        // h = silu(a) ⊙ b  ⇒  db = dh ⊙ silu(a),  da = dh ⊙ b ⊙ silu'(a),
        // with silu'(a) = σ(a) (1 + a (1 − σ(a))).
        // (Clamped: da = dh ∂h/∂a, db = dh ∂h/∂b from ``ClampedSwiGLU/derivatives(_:_:)``.)
        Parallel.forEach(blk.rows * ff, grain: 16384) { range in
            if let clamp {
                for i in range {
                    let (ha, hb) = clamp.derivatives(a[i], b[i]), dh = da[i]
                    db[i] = dh * hb
                    da[i] = dh * ha
                }
            } else {
                for i in range {
                    let sig = Scalar.sigmoid(a[i]), dh = da[i]
                    db[i] = dh * a[i] * sig
                    da[i] = dh * b[i] * sig * (1 + a[i] * (1 - sig))
                }
            }
        }
        // Biases: db2 = Σ_rows dE, db1 = Σ_rows da, db3 = Σ_rows db.
        if let names = blk.names.biases {
            gradients.withMutableValues(names.b2) { addColumnSums(dOutB, rows: blk.rows, cols: d, into: $0) }
            gradients.withMutableValues(names.b1) { addColumnSums(da, rows: blk.rows, cols: ff, into: $0) }
            gradients.withMutableValues(names.b3) { addColumnSums(db, rows: blk.rows, cols: ff, into: $0) }
        }
        // a = x W1ᵀ, b = x W3ᵀ  ⇒  dx += da W1 + db W3,  dW1 += daᵀ x,  dW3 += dbᵀ x.
        parameters.withValues(blk.names.w1) { w1 in
            Scalar.gemm(transA: false, transB: false, m: blk.rows, n: d, k: ff, alpha: 1, a: da, lda: ff,
                        b: w1, ldb: d, beta: 1, c: dXb, ldc: d)
        }
        parameters.withValues(blk.names.w3) { w3 in
            Scalar.gemm(transA: false, transB: false, m: blk.rows, n: d, k: ff, alpha: 1, a: db, lda: ff,
                        b: w3, ldb: d, beta: 1, c: dXb, ldc: d)
        }
        gradients.withMutableValues(blk.names.w1) { dW1 in
            Scalar.gemm(transA: true, transB: false, m: ff, n: d, k: blk.rows, alpha: 1, a: da, lda: ff,
                        b: xb, ldb: d, beta: 1, c: dW1, ldc: d)
        }
        gradients.withMutableValues(blk.names.w3) { dW3 in
            Scalar.gemm(transA: true, transB: false, m: ff, n: d, k: blk.rows, alpha: 1, a: db, lda: ff,
                        b: xb, ldb: d, beta: 1, c: dW3, ldc: d)
        }
    }
}

/// The (token, slot) pairs of a batch, grouped by expert (a stable counting sort).
struct ExpertGroups: Sendable {
    /// Expert e owns the grouped rows offsets[e]..<offsets[e+1]; N + 1 entries.
    let offsets: [Int]
    /// pair[r] = t·K + i: the (token, slot) pair at grouped row r.
    let pair: [Int]
    /// row[t·K + i]: the grouped row of that pair.
    let row: [Int]

    /// Groups the selection `topk` ([T, K], values in 0..<experts).
    init(topk: [Int], experts: Int) {
        var offsets = [Int](repeating: 0, count: experts + 1)
        for e in topk { offsets[e + 1] += 1 }
        for e in 0..<experts { offsets[e + 1] += offsets[e] }
        var next = offsets, pair = [Int](repeating: 0, count: topk.count), row = pair
        for (q, e) in topk.enumerated() {
            row[q] = next[e]
            pair[next[e]] = q
            next[e] += 1
        }
        self.offsets = offsets
        self.pair = pair
        self.row = row
    }

    /// The number of pairs routed to expert e.
    func count(_ e: Int) -> Int { offsets[e + 1] - offsets[e] }

    /// Each expert's grouped rows, as SwiGLU blocks (with bias names when `biased`).
    func blocks(biased: Bool) -> [SwiGLUBlock] {
        (0..<(offsets.count - 1)).map { SwiGLUBlock(first: offsets[$0], rows: count($0), names: .expert($0, biased: biased)) }
    }
}

/// The routed experts' forward state: inputs gathered in grouped order and activations.
struct ExpertsCache<Scalar: BLASScalar>: Sendable {
    let groups: ExpertGroups
    /// The input row of each grouped pair, [T·K, d].
    let inputs: Buffer<Scalar>
    /// Activations in grouped order; `out` row r is E_e(x_t) for pair `groups.pair[r]`.
    let act: SwiGLUActivations<Scalar>
}

/// Runs every selected expert on its tokens. x is [T, d]; with `inputGates` ([T, K], the
/// extension `gate_scales_input`) pair (t, i) runs on g_ti x_t instead of x_t.
func expertsForward<Scalar: BLASScalar>(
    shape s: LayerShape, groups: ExpertGroups, x: UnsafePointer<Scalar>, parameters: Parameters<Scalar>,
    inputGates: Buffer<Scalar>? = nil
) -> ExpertsCache<Scalar> {
    let d = s.d
    // Gather: grouped row r is the input row of its token (times its gate).
    let inputs = Buffer<Scalar>(uninitialized: s.nodes * d)
    groups.pair.withUnsafeBufferPointer { pair in
        Parallel.forEach(s.nodes, grain: 256) { range in
            for r in range {
                let row = inputs.p + r * d
                row.update(from: x + (pair[r] / s.k) * d, count: d)
                if let g = inputGates?.p[pair[r]] { for c in 0..<d { row[c] *= g } }
            }
        }
    }
    let act = SwiGLUActivations<Scalar>(rows: s.nodes, dModel: d, dFF: s.ff)
    let ext = parameters.config.extensions
    swigluForward(blocks: groups.blocks(biased: ext.expertBias), dModel: d, dFF: s.ff, x: inputs.p,
                  parameters: parameters, into: act, clamp: ext.clampedSwiGLU)
    return ExpertsCache(groups: groups, inputs: inputs, act: act)
}

/// Backward through the routed experts. dOut is dJ/dE in grouped order, [T·K, d];
/// dX ([T, d]) and the experts' weight gradients are accumulated into. With `inputGates`
/// (pair (t, i) ran on u = g_ti x_t) the input gradient du gives dx_t += g_ti du and
/// dg_ti = ⟨du, x_t⟩, written into `dGates` ([T, K]); x is the layer's input, [T, d].
func expertsBackward<Scalar: BLASScalar>(
    shape s: LayerShape, cache: ExpertsCache<Scalar>, dOut: Buffer<Scalar>,
    parameters: Parameters<Scalar>, gradients: inout Parameters<Scalar>, dX: UnsafeMutablePointer<Scalar>,
    inputGates: (gates: Buffer<Scalar>, x: UnsafePointer<Scalar>, dGates: Buffer<Scalar>)? = nil
) {
    let d = s.d, k = s.k, groups = cache.groups
    let dInputs = Buffer<Scalar>(zeros: s.nodes * d)
    let dA = Buffer<Scalar>(uninitialized: s.nodes * s.ff), dB = Buffer<Scalar>(uninitialized: s.nodes * s.ff)
    let ext = parameters.config.extensions
    swigluBackward(blocks: groups.blocks(biased: ext.expertBias), dModel: d, dFF: s.ff, x: cache.inputs.p,
                   parameters: parameters, act: cache.act, dOut: dOut.p, dX: dInputs.p,
                   gradients: &gradients, dA: dA.p, dB: dB.p, clamp: ext.clampedSwiGLU)
    // The gather x_t → grouped rows  ⇒  dx_t += Σ_i dInputs[row(t, i)] (token by token, so
    // that concurrent chunks write disjoint rows).
    groups.row.withUnsafeBufferPointer { row in
        Parallel.forEach(s.tokens, grain: 64) { range in
            for t in range {
                let dst = dX + t * d
                for i in 0..<k {
                    let src = dInputs.p + row[t * k + i] * d
                    if let (gates, x, dGates) = inputGates {
                        let g = gates.p[t * k + i], xt = x + t * d
                        var dot: Scalar = 0
                        for c in 0..<d {
                            dst[c] += g * src[c]
                            dot += src[c] * xt[c]
                        }
                        dGates.p[t * k + i] = dot
                    } else {
                        for c in 0..<d { dst[c] += src[c] }
                    }
                }
            }
        }
    }
}
