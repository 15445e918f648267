import LinearAlgebra

/// AdamW (Loshchilov & Hutter, decoupled weight decay) with global-norm gradient clipping,
/// over named tensors: the layer's `Parameters` or any other model's weights.
///
/// One step, for every tensor θ with gradient g, after clipping (below):
///
///     θ ← θ − lr·wd·θ                       (only tensors of rank ≥ 2; norms and biases are not decayed)
///     m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²
///     θ ← θ − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)
///
/// which is PyTorch's `torch.optim.AdamW` with the decay confined to matrices. Clipping is
/// `torch.nn.utils.clip_grad_norm_`: with ‖g‖ the norm of all gradients together, every
/// gradient is scaled by min(1, maxNorm / (‖g‖ + 1e-6)).
///
/// ```swift
/// var opt = AdamW<Float>(AdamWOptions(learningRate: 3e-3, clipNorm: 1))
/// let norm = opt.step(&layer.parameters, gradients: grads)
/// ```
public struct AdamW<Scalar: BLASScalar>: Sendable {
    public typealias Options = AdamWOptions

    public var options: Options
    /// Steps taken so far (t of the bias corrections).
    public private(set) var steps = 0
    var firstMoment: [String: [Scalar]] = [:]
    var secondMoment: [String: [Scalar]] = [:]

    public init(_ options: Options = Options()) {
        self.options = options
    }

    /// One step on `weights` by `gradients` (same names and shapes; a weight without a
    /// gradient is left alone). `learningRate` overrides the options' rate for this step
    /// (schedules). Returns the global gradient norm before clipping.
    @discardableResult
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func step(_ weights: inout [String: Tensor<Scalar>], gradients: [String: Tensor<Scalar>],
                              learningRate: Double? = nil) -> Double {
        var sumSquares = 0.0
        for g in gradients.values {
            for v in g.data { sumSquares += Double(v) * Double(v) }
        }
        let norm = sumSquares.squareRoot()
        var scale = 1.0
        if let maxNorm = options.clipNorm { scale = min(1, maxNorm / (norm + 1e-6)) }

        steps += 1
        let lr = learningRate ?? options.learningRate
        let b1 = options.beta1, b2 = options.beta2
        let c1 = 1 - AdamW.power(b1, steps), c2 = 1 - AdamW.power(b2, steps)
        let sb1 = Scalar(b1), sb2 = Scalar(b2), g1 = Scalar(1 - b1), g2 = Scalar(1 - b2)
        let stepSize = Scalar(lr / c1), rootC2 = Scalar(c2.squareRoot()), eps = Scalar(options.epsilon)
        let sScale = Scalar(scale)
        for name in gradients.keys.sorted() {
            guard var w = weights.removeValue(forKey: name), let g = gradients[name] else { continue }
            precondition(w.shape == g.shape, "AdamW: gradient of \(name) has shape \(g.shape), weight \(w.shape)")
            var m = firstMoment.removeValue(forKey: name) ?? [Scalar](repeating: 0, count: g.data.count)
            var v = secondMoment.removeValue(forKey: name) ?? [Scalar](repeating: 0, count: g.data.count)
            let decay = w.shape.count >= 2 ? Scalar(1 - lr * options.weightDecay) : 1
            w.data.withUnsafeMutableBufferPointer { wp in
                m.withUnsafeMutableBufferPointer { mp in
                    v.withUnsafeMutableBufferPointer { vp in
                        g.data.withUnsafeBufferPointer { gp in
                            for i in 0..<gp.count {
                                let gi = gp[i] * sScale
                                mp[i] = sb1 * mp[i] + g1 * gi
                                vp[i] = sb2 * vp[i] + g2 * gi * gi
                                // v̂ = v / c2, so √v̂ + ε = √v / √c2 + ε.
                                wp[i] = wp[i] * decay - stepSize * mp[i] / (vp[i].squareRoot() / rootC2 + eps)
                            }
                        }
                    }
                }
            }
            weights[name] = w
            firstMoment[name] = m
            secondMoment[name] = v
        }
        return norm
    }

    /// One step on a layer's parameters (see `step(_:gradients:learningRate:)`).
    @discardableResult
    public mutating func step(_ parameters: inout Parameters<Scalar>, gradients: Parameters<Scalar>,
                              learningRate: Double? = nil) -> Double {
        step(&parameters.tensors, gradients: gradients.tensors, learningRate: learningRate)
    }

    /// b^n for the bias corrections, by repeated squaring.
    static func power(_ b: Double, _ n: Int) -> Double {
        var result = 1.0, base = b, e = n
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }
}

/// AdamW's hyperparameters (PyTorch's defaults, except the decay and the clipping).
public struct AdamWOptions: Sendable, Equatable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double
    /// Largest global gradient norm; nil = no clipping.
    public var clipNorm: Double?

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, weightDecay: Double = 0.01, clipNorm: Double? = 1) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
    }
}
