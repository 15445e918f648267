import LinearAlgebra

/// One SwiGLU expert, E(x) = s·W2 (silu(W1 x) ⊙ (W3 x)), whose weights stay in their stored
/// precision (Float for F32/F16/BF16 checkpoints: half the memory of Float64) while every
/// product runs in Float64 on the exactly widened weights, a block of rows at a time. So a
/// real-size expert costs its Float32 bytes, not twice that, and the analyses keep Float64
/// accuracy. s is a constant on W2 (the routed scaling factor), applied in Float64. With biases
/// (extension `expert_bias`) a = W1 x + b1, b = W3 x + b3 and E = s·W2 h + b2; with `clamp`
/// (extension `clamped_swiglu`) h = ``ClampedSwiGLU``(a, b) instead of silu(a) ⊙ b.
///
/// Vectors are columns: X is d×T (one token per column), V and U are d×m blocks of probes.
/// Forward, the Jacobian-vector product and the vector-Jacobian product sit side by side.
public struct StoredExpert<Storage: BLASScalar>: Sendable {
    public let dModel: Int
    public let dFF: Int
    /// [d_ff, d] each, row-major.
    let w1: [Storage], w3: [Storage]
    /// [d, d_ff], row-major.
    let w2: [Storage]
    public let scale: Double
    /// b1, b3 [d_ff] and b2 [d], or nil.
    let biases: (b1: [Double], b2: [Double], b3: [Double])?
    let clamp: ClampedSwiGLU?
    /// The block scales of W1, W2, W3 when they are block-quantized (FP8), applied in Float64.
    let blockScales: (w1: BlockScales, w2: BlockScales, w3: BlockScales)?

    public init(w1: [Storage], w2: [Storage], w3: [Storage], dModel: Int, dFF: Int, scale: Double = 1,
                biases: (b1: [Double], b2: [Double], b3: [Double])? = nil, clamp: ClampedSwiGLU? = nil,
                blockScales: (w1: BlockScales, w2: BlockScales, w3: BlockScales)? = nil) {
        precondition(w1.count == dFF * dModel && w3.count == dFF * dModel && w2.count == dModel * dFF,
                     "StoredExpert: W1 and W3 must be \(dFF)×\(dModel), W2 \(dModel)×\(dFF)")
        precondition(biases.map { $0.b1.count == dFF && $0.b3.count == dFF && $0.b2.count == dModel } ?? true,
                     "StoredExpert: b1 and b3 must hold \(dFF) values, b2 \(dModel)")
        self.biases = biases
        self.clamp = clamp
        self.blockScales = blockScales
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
        self.dModel = dModel
        self.dFF = dFF
        self.scale = scale
    }

    /// The bytes the weights hold.
    public var bytes: Int { 3 * dModel * dFF * MemoryLayout<Storage>.size }
}

/// The pre-activations of an expert on some tokens, kept for its output and its
/// derivatives there: a = W1 X and b = W3 X, d_ff×T.
public struct ExpertState: Sendable {
    public let a: Matrix<Double>, b: Matrix<Double>
}

/// What the streamed analyses ask of an expert, whatever its stored precision.
public protocol ExpertProducts: Sendable {
    var dModel: Int { get }
    var dFF: Int { get }
    var bytes: Int { get }
    /// a and b on the columns of X (d×T).
    func state(_ x: Matrix<Double>) -> ExpertState
    /// E on those columns, d×T.
    func output(_ state: ExpertState) -> Matrix<Double>
    /// J_E(x_t) V for column t of the state, V d×m.
    func jvp(_ state: ExpertState, token t: Int, _ v: Matrix<Double>) -> Matrix<Double>
    /// J_E(x_t)ᵀ U for column t of the state, U d×m.
    func vjp(_ state: ExpertState, token t: Int, _ u: Matrix<Double>) -> Matrix<Double>
}

extension StoredExpert: ExpertProducts {
    public func state(_ x: Matrix<Double>) -> ExpertState {
        var a = Self.product(w1, rows: dFF, cols: dModel, scales: blockScales?.w1, x)
        var b = Self.product(w3, rows: dFF, cols: dModel, scales: blockScales?.w3, x)
        if let biases {
            Self.addColumn(biases.b1, to: &a)
            Self.addColumn(biases.b3, to: &b)
        }
        return ExpertState(a: a, b: b)
    }

    /// s·W2 (silu(a) ⊙ b) (+ b2).
    public func output(_ s: ExpertState) -> Matrix<Double> {
        var h = s.a
        for i in h.data.indices {
            let a = s.a.data[i]
            h.data[i] = clamp?.forward(a, s.b.data[i]) ?? a * Double.sigmoid(a) * s.b.data[i]
        }
        var out = scaled(Self.product(w2, rows: dModel, cols: dFF, scales: blockScales?.w2, h))
        if let biases { Self.addColumn(biases.b2, to: &out) }
        return out
    }

    /// m[r, c] += v[r] for every column c.
    static func addColumn(_ v: [Double], to m: inout Matrix<Double>) {
        let cols = m.cols
        for r in 0..<m.rows { for c in 0..<cols { m.data[r * cols + c] += v[r] } }
    }

    /// s·W2 (α ⊙ W1 V + β ⊙ W3 V), α = b ⊙ silu'(a), β = silu(a) at token t.
    public func jvp(_ s: ExpertState, token t: Int, _ v: Matrix<Double>) -> Matrix<Double> {
        let (alpha, beta) = coefficients(s, token: t)
        let av = Self.product(w1, rows: dFF, cols: dModel, scales: blockScales?.w1, v)
        let bv = Self.product(w3, rows: dFF, cols: dModel, scales: blockScales?.w3, v)
        var h = av
        let m = v.cols
        for f in 0..<dFF {
            for c in 0..<m { h.data[f * m + c] = alpha[f] * av.data[f * m + c] + beta[f] * bv.data[f * m + c] }
        }
        return scaled(Self.product(w2, rows: dModel, cols: dFF, scales: blockScales?.w2, h))
    }

    /// W1ᵀ (α ⊙ G) + W3ᵀ (β ⊙ G), G = s·W2ᵀ U.
    public func vjp(_ s: ExpertState, token t: Int, _ u: Matrix<Double>) -> Matrix<Double> {
        let (alpha, beta) = coefficients(s, token: t)
        let g = scaled(Self.product(w2, rows: dModel, cols: dFF, scales: blockScales?.w2, u, transposed: true))
        let m = u.cols
        var ga = g, gb = g
        for f in 0..<dFF {
            for c in 0..<m {
                ga.data[f * m + c] *= alpha[f]
                gb.data[f * m + c] *= beta[f]
            }
        }
        var out = Self.product(w1, rows: dFF, cols: dModel, scales: blockScales?.w1, ga, transposed: true)
        let other = Self.product(w3, rows: dFF, cols: dModel, scales: blockScales?.w3, gb, transposed: true)
        for i in out.data.indices { out.data[i] += other.data[i] }
        return out
    }

    /// α = ∂h/∂a = b ⊙ silu'(a) and β = ∂h/∂b = silu(a) at token t, silu'(a) = σ(a)(1 + a(1 − σ(a)))
    /// (clamped: ``ClampedSwiGLU``'s derivatives).
    func coefficients(_ s: ExpertState, token t: Int) -> (alpha: [Double], beta: [Double]) {
        var alpha = [Double](repeating: 0, count: dFF), beta = alpha
        for f in 0..<dFF {
            if let clamp {
                (alpha[f], beta[f]) = clamp.derivatives(s.a[f, t], s.b[f, t])
                continue
            }
            let a = s.a[f, t], sig = Double.sigmoid(a)
            alpha[f] = s.b[f, t] * sig * (1 + a * (1 - sig))
            beta[f] = a * sig
        }
        return (alpha, beta)
    }

    func scaled(_ m: Matrix<Double>) -> Matrix<Double> {
        guard scale != 1 else { return m }
        var m = m
        for i in m.data.indices { m.data[i] *= scale }
        return m
    }

    /// W X (W rows×cols, X cols×m) or, transposed, Wᵀ X (X rows×m), in Float64: W is widened a
    /// block of rows at a time (about 2 MB of Float64), times its block scales when it has them,
    /// so no Float64 copy of W is ever whole.
    @_specialize(where Storage == Float)
    @_specialize(where Storage == Double)
    static func product(_ w: [Storage], rows: Int, cols: Int, scales: BlockScales? = nil, _ x: Matrix<Double>,
                        transposed: Bool = false) -> Matrix<Double> {
        precondition(x.rows == (transposed ? rows : cols), "StoredExpert.product: X has \(x.rows) rows")
        let m = x.cols
        var out = Matrix<Double>(rows: transposed ? cols : rows, cols: m)
        guard m > 0, rows > 0, cols > 0 else { return out }
        // At least 64 rows a block, so that each gemm has some depth (W2 has d_ff columns).
        let block = max(1, min(rows, max(64, (1 << 18) / cols)))
        var wide = [Double](repeating: 0, count: block * cols)
        w.withUnsafeBufferPointer { wp in
            x.data.withUnsafeBufferPointer { xp in
                out.data.withUnsafeMutableBufferPointer { op in
                    wide.withUnsafeMutableBufferPointer { bp in
                        var r0 = 0
                        while r0 < rows {
                            let nb = min(block, rows - r0)
                            let src = wp.baseAddress! + r0 * cols
                            for i in 0..<(nb * cols) { bp[i] = Double(src[i]) }
                            if let scales {
                                for r in 0..<nb { scales.scale(bp.baseAddress! + r * cols, row: r0 + r, cols: cols) }
                            }
                            if transposed {
                                // out += W[r0..<r0+nb, :]ᵀ X[r0..<r0+nb, :].
                                Double.gemm(transA: true, transB: false, m: cols, n: m, k: nb, alpha: 1,
                                            a: bp.baseAddress!, lda: cols, b: xp.baseAddress! + r0 * m, ldb: m,
                                            beta: 1, c: op.baseAddress!, ldc: m)
                            } else {
                                // out[r0..<r0+nb, :] = W[r0..<r0+nb, :] X.
                                Double.gemm(transA: false, transB: false, m: nb, n: m, k: cols, alpha: 1,
                                            a: bp.baseAddress!, lda: cols, b: xp.baseAddress!, ldb: m,
                                            beta: 0, c: op.baseAddress! + r0 * m, ldc: m)
                            }
                            r0 += nb
                        }
                    }
                }
            }
        }
        return out
    }
}
