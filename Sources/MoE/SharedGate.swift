import LinearAlgebra

// The sigmoid gate of the shared expert (an extension, ``LayerExtensions/sharedGate``):
// y gets s_t · Es(x_t) instead of Es(x_t), with s_t = σ(w · x_t), w = `shared_gate.weight`.

/// What backward needs from the gate's forward: s, [T].
struct SharedGateCache<Scalar: BLASScalar>: Sendable {
    let gates: Buffer<Scalar>
}

/// s_t = σ(w · x_t) for the T tokens of x ([T, d]); w is [1, d].
func sharedGateForward<Scalar: BLASScalar>(shape s: LayerShape, x: UnsafePointer<Scalar>,
                                           parameters: Parameters<Scalar>) -> SharedGateCache<Scalar> {
    let gates = Buffer<Scalar>(uninitialized: s.tokens)
    parameters.withValues(ParameterName.sharedGate) { w in
        for t in 0..<s.tokens {
            var z: Scalar = 0
            for c in 0..<s.d { z += w[c] * x[t * s.d + c] }
            gates.p[t] = Scalar.sigmoid(z)
        }
    }
    return SharedGateCache(gates: gates)
}

extension SharedGateCache {
    /// Scales row t of `rows` ([T, d], holding Es(x)) by s_t.
    func scale(_ rows: UnsafeMutablePointer<Scalar>, shape s: LayerShape) {
        for t in 0..<s.tokens {
            let g = gates.p[t]
            for c in 0..<s.d { rows[t * s.d + c] *= g }
        }
    }
}

/// Backward of y_t += s_t Es(x_t): returns dEs = s ⊙ G ([T, d], the shared expert's
/// upstream gradient), and accumulates ds_t = ⟨G_t, Es(x_t)⟩ through the sigmoid,
/// dz_t = s_t (1 − s_t) ds_t, into dx (+= dz_t w) and dw (+= Σ_t dz_t x_t).
///
/// - Parameters: gradY G and x are [T, d]; `expertOut` is Es(x), [T, d], unscaled.
func sharedGateBackward<Scalar: BLASScalar>(
    shape s: LayerShape, cache: SharedGateCache<Scalar>, gradY: UnsafePointer<Scalar>,
    expertOut: UnsafePointer<Scalar>, x: UnsafePointer<Scalar>, parameters: Parameters<Scalar>,
    gradients: inout Parameters<Scalar>, dX: UnsafeMutablePointer<Scalar>
) -> Buffer<Scalar> {
    let d = s.d
    let dShared = Buffer<Scalar>(uninitialized: s.tokens * d)
    var dz = [Scalar](repeating: 0, count: s.tokens)
    for t in 0..<s.tokens {
        let g = cache.gates.p[t]
        var ds: Scalar = 0
        for c in 0..<d {
            ds += gradY[t * d + c] * expertOut[t * d + c]
            dShared.p[t * d + c] = g * gradY[t * d + c]
        }
        dz[t] = g * (1 - g) * ds
    }
    parameters.withValues(ParameterName.sharedGate) { w in
        for t in 0..<s.tokens { for c in 0..<d { dX[t * d + c] += dz[t] * w[c] } }
    }
    gradients.withMutableValues(ParameterName.sharedGate) { dw in
        for t in 0..<s.tokens { for c in 0..<d { dw[c] += dz[t] * x[t * d + c] } }
    }
    return dShared
}

extension DAGMoELayer {
    /// s(x)·J for a layer with a sigmoid shared gate, J itself otherwise (x of length d).
    func sharedGateScaled(_ jacobian: Matrix<Scalar>, x: [Scalar]) -> Matrix<Scalar> {
        guard config.extensions.sharedGate else { return jacobian }
        let w = parameters[ParameterName.sharedGate].data
        var z: Scalar = 0
        for c in 0..<config.dModel { z += w[c] * x[c] }
        let s = Scalar.sigmoid(z)
        var scaled = jacobian
        for i in scaled.data.indices { scaled.data[i] *= s }
        return scaled
    }
}
