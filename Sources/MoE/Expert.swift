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

    /// Zeroed activations for `rows` rows.
    init(rows: Int, dModel d: Int, dFF ff: Int) {
        a = Buffer(zeros: rows * ff)
        b = Buffer(zeros: rows * ff)
        h = Buffer(zeros: rows * ff)
        out = Buffer(zeros: rows * d)
    }
}

/// The names of one SwiGLU expert's three weights.
struct SwiGLUNames: Sendable {
    let w1: String, w2: String, w3: String

    /// Routed expert e.
    static func expert(_ e: Int) -> SwiGLUNames {
        SwiGLUNames(w1: ParameterName.expert(e, "w1"), w2: ParameterName.expert(e, "w2"),
                    w3: ParameterName.expert(e, "w3"))
    }

    /// The shared expert.
    static let shared = SwiGLUNames(w1: ParameterName.shared("w1"), w2: ParameterName.shared("w2"),
                                    w3: ParameterName.shared("w3"))
}

/// SwiGLU forward on `rows` rows, written to rows `first..<first+rows` of `act`.
/// x is [rows, d]; the weights W1, W3 are [d_ff, d] and W2 is [d, d_ff].
func swigluForward<Scalar: BLASScalar>(
    rows: Int, first: Int, dModel d: Int, dFF ff: Int, x: UnsafePointer<Scalar>,
    parameters: Parameters<Scalar>, names: SwiGLUNames, into act: SwiGLUActivations<Scalar>
) {
    guard rows > 0 else { return }
    let a = act.a.p + first * ff, b = act.b.p + first * ff, h = act.h.p + first * ff
    // a = x W1ᵀ, b = x W3ᵀ: [rows, d] × [d, d_ff].
    parameters.withValues(names.w1) { w1 in
        Scalar.gemm(transA: false, transB: true, m: rows, n: ff, k: d, alpha: 1, a: x, lda: d,
                    b: w1, ldb: d, beta: 0, c: a, ldc: ff)
    }
    parameters.withValues(names.w3) { w3 in
        Scalar.gemm(transA: false, transB: true, m: rows, n: ff, k: d, alpha: 1, a: x, lda: d,
                    b: w3, ldb: d, beta: 0, c: b, ldc: ff)
    }
    // h = silu(a) ⊙ b, silu(a) = a σ(a).
    for i in 0..<(rows * ff) {
        h[i] = a[i] * Scalar.sigmoid(a[i]) * b[i]
    }
    // E(x) = h W2ᵀ: [rows, d_ff] × [d_ff, d].
    parameters.withValues(names.w2) { w2 in
        Scalar.gemm(transA: false, transB: true, m: rows, n: d, k: ff, alpha: 1, a: h, lda: ff,
                    b: w2, ldb: ff, beta: 0, c: act.out.p + first * d, ldc: d)
    }
}

/// SwiGLU backward on rows `first..<first+rows` of `act`: accumulates dJ/dx into dX
/// ([rows, d]) and dJ/dW into `gradients`; dOut is dJ/dE(x), [rows, d]. dA and dB are
/// scratch of at least rows·d_ff values.
func swigluBackward<Scalar: BLASScalar>(
    rows: Int, first: Int, dModel d: Int, dFF ff: Int, x: UnsafePointer<Scalar>,
    parameters: Parameters<Scalar>, names: SwiGLUNames, act: SwiGLUActivations<Scalar>,
    dOut: UnsafePointer<Scalar>, dX: UnsafeMutablePointer<Scalar>, gradients: inout Parameters<Scalar>,
    dA: UnsafeMutablePointer<Scalar>, dB: UnsafeMutablePointer<Scalar>
) {
    guard rows > 0 else { return }
    let a = act.a.p + first * ff, b = act.b.p + first * ff, h = act.h.p + first * ff
    // E = h W2ᵀ  ⇒  dh = dE W2 ([rows, d] × [d, d_ff]) and dW2 += dEᵀ h ([d, rows] × [rows, d_ff]).
    // dh goes into dA and becomes da in place below.
    parameters.withValues(names.w2) { w2 in
        Scalar.gemm(transA: false, transB: false, m: rows, n: ff, k: d, alpha: 1, a: dOut, lda: d,
                    b: w2, ldb: ff, beta: 0, c: dA, ldc: ff)
    }
    gradients.withMutableValues(names.w2) { dW2 in
        Scalar.gemm(transA: true, transB: false, m: d, n: ff, k: rows, alpha: 1, a: dOut, lda: d,
                    b: h, ldb: ff, beta: 1, c: dW2, ldc: ff)
    }
    // h = silu(a) ⊙ b  ⇒  db = dh ⊙ silu(a),  da = dh ⊙ b ⊙ silu'(a),
    // with silu'(a) = σ(a) (1 + a (1 − σ(a))).
    for i in 0..<(rows * ff) {
        let sig = Scalar.sigmoid(a[i]), dh = dA[i]
        dB[i] = dh * a[i] * sig
        dA[i] = dh * b[i] * sig * (1 + a[i] * (1 - sig))
    }
    // a = x W1ᵀ, b = x W3ᵀ  ⇒  dx += da W1 + db W3,  dW1 += daᵀ x,  dW3 += dbᵀ x.
    parameters.withValues(names.w1) { w1 in
        Scalar.gemm(transA: false, transB: false, m: rows, n: d, k: ff, alpha: 1, a: dA, lda: ff,
                    b: w1, ldb: d, beta: 1, c: dX, ldc: d)
    }
    parameters.withValues(names.w3) { w3 in
        Scalar.gemm(transA: false, transB: false, m: rows, n: d, k: ff, alpha: 1, a: dB, lda: ff,
                    b: w3, ldb: d, beta: 1, c: dX, ldc: d)
    }
    gradients.withMutableValues(names.w1) { dW1 in
        Scalar.gemm(transA: true, transB: false, m: ff, n: d, k: rows, alpha: 1, a: dA, lda: ff,
                    b: x, ldb: d, beta: 1, c: dW1, ldc: d)
    }
    gradients.withMutableValues(names.w3) { dW3 in
        Scalar.gemm(transA: true, transB: false, m: ff, n: d, k: rows, alpha: 1, a: dB, lda: ff,
                    b: x, ldb: d, beta: 1, c: dW3, ldc: d)
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
}

/// The routed experts' forward state: inputs gathered in grouped order and activations.
struct ExpertsCache<Scalar: BLASScalar>: Sendable {
    let groups: ExpertGroups
    /// The input row of each grouped pair, [T·K, d].
    let inputs: Buffer<Scalar>
    /// Activations in grouped order; `out` row r is E_e(x_t) for pair `groups.pair[r]`.
    let act: SwiGLUActivations<Scalar>
}

/// Runs every selected expert on its tokens. x is [T, d].
func expertsForward<Scalar: BLASScalar>(
    shape s: LayerShape, groups: ExpertGroups, x: UnsafePointer<Scalar>, parameters: Parameters<Scalar>
) -> ExpertsCache<Scalar> {
    let d = s.d
    let inputs = Buffer<Scalar>(zeros: s.nodes * d)
    for r in 0..<s.nodes {
        (inputs.p + r * d).update(from: x + (groups.pair[r] / s.k) * d, count: d)
    }
    let act = SwiGLUActivations<Scalar>(rows: s.nodes, dModel: d, dFF: s.ff)
    for e in 0..<s.n {
        let first = groups.offsets[e]
        swigluForward(rows: groups.count(e), first: first, dModel: d, dFF: s.ff, x: inputs.p + first * d,
                      parameters: parameters, names: .expert(e), into: act)
    }
    return ExpertsCache(groups: groups, inputs: inputs, act: act)
}

/// Backward through the routed experts. dOut is dJ/dE in grouped order, [T·K, d];
/// dX ([T, d]) and the experts' weight gradients are accumulated into.
func expertsBackward<Scalar: BLASScalar>(
    shape s: LayerShape, cache: ExpertsCache<Scalar>, dOut: Buffer<Scalar>,
    parameters: Parameters<Scalar>, gradients: inout Parameters<Scalar>, dX: UnsafeMutablePointer<Scalar>
) {
    let d = s.d, groups = cache.groups
    let dInputs = Buffer<Scalar>(zeros: s.nodes * d)
    let dA = Buffer<Scalar>(zeros: s.nodes * s.ff), dB = Buffer<Scalar>(zeros: s.nodes * s.ff)
    for e in 0..<s.n {
        let first = groups.offsets[e]
        swigluBackward(rows: groups.count(e), first: first, dModel: d, dFF: s.ff, x: cache.inputs.p + first * d,
                       parameters: parameters, names: .expert(e), act: cache.act, dOut: dOut.p + first * d,
                       dX: dInputs.p + first * d, gradients: &gradients, dA: dA.p, dB: dB.p)
    }
    // The gather x_t → grouped row r  ⇒  dx_t += dInputs[r] (scatter-add).
    for r in 0..<s.nodes {
        let src = dInputs.p + r * d, dst = dX + (groups.pair[r] / s.k) * d
        for c in 0..<d { dst[c] += src[c] }
    }
}
