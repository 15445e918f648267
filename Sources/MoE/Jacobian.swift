import LinearAlgebra

/// One token's Jacobians, for the linearization analysis
/// R = J − I − Σ_i g_i J_{S_i} − J_shared.
public struct TokenJacobians<Scalar: BLASScalar>: Sendable {
    /// J = ∂y/∂x of the whole layer, d×d: `layer[a, b]` = ∂y_a/∂x_b (selection held fixed).
    public let layer: Matrix<Scalar>
    /// J_{S_i}, d×d each, in selection order (taken at g_i x with the extension
    /// `gate_scales_input`, where the expert runs on g_i x).
    public let experts: [Matrix<Scalar>]
    /// The shared expert's Jacobian, nil when the layer has none; with a sigmoid shared gate,
    /// s(x)·J_s (the gate's own term s'·Es(x) wᵀ is a gate term, like the routed gates').
    public let shared: Matrix<Scalar>?
    /// S, in descending p.
    public let topk: [Int]
    /// g, in the order of `topk`.
    public let gates: [Scalar]
    /// E_{S_i}(x), in the order of `topk` (the L = 0 gate term is Σ_i E_{S_i}(x) ∇g_iᵀ).
    public let expertOutputs: [[Scalar]]
    /// False when the d evaluations behind `layer` did not all select the same experts, which
    /// happens only at a near-tie in p, where J is not defined; `layer` is then unreliable.
    public let selectionStable: Bool
}

extension DAGMoELayer {
    /// The Jacobians of one token x (length d).
    ///
    /// J is computed by reverse mode in one batched pass: x is repeated d times, and the
    /// backward with G = I (auxiliary losses off) yields row a of J as the input gradient of
    /// copy a. Each expert's Jacobian is closed-form: with a = W1 x, b = W3 x,
    /// J_E = W2 (diag(b ⊙ silu'(a)) W1 + diag(silu(a)) W3).
    ///
    /// - Complexity: one forward and one backward on d tokens, plus K + 1 products d×d_ff×d.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func tokenJacobians(x: [Scalar]) -> TokenJacobians<Scalar> {
        let config = self.config, d = config.dModel, k = config.topK
        precondition(x.count == d, "tokenJacobians: x must have d = \(d) values, got \(x.count)")
        var copies = Matrix<Scalar>(rows: d, cols: d)
        for a in 0..<d { for b in 0..<d { copies[a, b] = x[b] } }
        let (out, cache) = forward(copies)
        let (gradX, _) = backward(cache, gradY: Matrix.identity(d), lbCoef: 0, zCoef: 0)

        let topk = Array(out.topk[0..<k])
        let stable = (1..<d).allSatisfy { out.topk[($0 * k)..<(($0 + 1) * k)].elementsEqual(topk) }
        let gates = (0..<k).map { out.gates[0, $0] }
        // With gate_scales_input expert i runs on g_i x, so its Jacobian is taken there.
        let experts = topk.indices.map { i in
            expertJacobian(x: config.extensions.gateScalesInput ? x.map { $0 * gates[i] } : x,
                           names: .expert(topk[i], biased: config.extensions.expertBias), dFF: config.dFF,
                           clamp: config.extensions.clampedSwiGLU)
        }
        let outputs = (0..<k).map { i in
            Array(UnsafeBufferPointer(start: cache.experts.act.out.p + cache.experts.groups.row[i] * d, count: d))
        }
        let shared = config.sharedDFF > 0
            ? sharedGateScaled(expertJacobian(x: x, names: .shared, dFF: config.sharedDFF), x: x) : nil
        return TokenJacobians(layer: gradX, experts: experts, shared: shared, topk: topk, gates: gates,
                              expertOutputs: outputs, selectionStable: stable)
    }

    /// J_E(x) = W2 (diag(b ⊙ silu'(a)) W1 + diag(silu(a)) W3), a = W1 x (+ b1), b = W3 x (+ b3);
    /// with `clamp`, J_E(x) = W2 (diag(∂h/∂a) W1 + diag(∂h/∂b) W3).
    func expertJacobian(x: [Scalar], names: SwiGLUNames, dFF ff: Int, clamp: ClampedSwiGLU? = nil) -> Matrix<Scalar> {
        let d = config.dModel
        let w1 = Matrix(rows: ff, cols: d, data: parameters[names.w1].data)
        let w3 = Matrix(rows: ff, cols: d, data: parameters[names.w3].data)
        let w2 = Matrix(rows: d, cols: ff, data: parameters[names.w2].data)
        let xCol = Matrix(rows: d, cols: 1, data: x)
        var a = Matrix.product(w1, xCol), b = Matrix.product(w3, xCol)
        if let biases = names.biases {
            let b1 = parameters[biases.b1].data, b3 = parameters[biases.b3].data
            for f in 0..<ff {
                a[f, 0] += b1[f]
                b[f, 0] += b3[f]
            }
        }
        // inner = diag(b ⊙ silu'(a)) W1 + diag(silu(a)) W3, [d_ff, d].
        var inner = Matrix<Scalar>(rows: ff, cols: d)
        for f in 0..<ff {
            let ha: Scalar, hb: Scalar
            if let clamp {
                (ha, hb) = clamp.derivatives(a[f, 0], b[f, 0])
            } else {
                let sig = Scalar.sigmoid(a[f, 0])
                (ha, hb) = (b[f, 0] * sig * (1 + a[f, 0] * (1 - sig)), a[f, 0] * sig)
            }
            for c in 0..<d { inner[f, c] = ha * w1[f, c] + hb * w3[f, c] }
        }
        return Matrix.product(w2, inner)
    }
}
