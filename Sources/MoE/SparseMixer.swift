import LinearAlgebra

// PhiMoE's sparse-mixer routing at inference (an extension, ``LayerExtensions/sparseMixer``),
// K = 2: S_1 = argmax z, S_2 = argmax of z without S_1; gate i is the softmax of the logits
// kept by a mask, at S_i: g_i = softmax(z[M_i])_{S_i}, where M_i holds the experts e not
// selected before i with (z_{S_i} − z_e) / max(|z_e|, z_{S_i}) ≤ 2ε (ε = `router_jitter_noise`).
// The masks are piecewise constant like the selection, so backward differentiates the
// softmax over each fixed M_i.

/// M_i for slot i of one token: logits z ([N]) and its selection `row` ([K]).
func sparseMixerMask<Scalar: BLASScalar>(_ z: UnsafePointer<Scalar>, experts n: Int, selection row: UnsafePointer<Int>,
                                          slot i: Int, epsilon: Double) -> [Bool] {
    let top = z[row[i]]
    return (0..<n).map { e in
        if (0..<i).contains(where: { row[$0] == e }) { return false }
        let factor = max(abs(z[e]), top)
        return !((top - z[e]) / factor > Scalar(2 * epsilon))
    }
}

/// g_i = softmax(z[M_i])_{S_i} for the K = 2 slots; q_i (the softmax over M_i, zero outside) in `softmax`.
func sparseMixerGates<Scalar: BLASScalar>(_ z: UnsafePointer<Scalar>, experts n: Int, selection row: UnsafePointer<Int>,
                                           topK k: Int, epsilon: Double, gates g: UnsafeMutablePointer<Scalar>) {
    for i in 0..<k {
        let q = sparseMixerSoftmax(z, experts: n, selection: row, slot: i, epsilon: epsilon)
        g[i] = q[row[i]]
    }
}

/// The softmax over M_i of slot i (zero outside M_i), shifted by z_{S_i}, the largest kept logit.
func sparseMixerSoftmax<Scalar: BLASScalar>(_ z: UnsafePointer<Scalar>, experts n: Int, selection row: UnsafePointer<Int>,
                                             slot i: Int, epsilon: Double) -> [Scalar] {
    let mask = sparseMixerMask(z, experts: n, selection: row, slot: i, epsilon: epsilon)
    let top = z[row[i]]
    var q = (0..<n).map { mask[$0] ? Scalar.exp(z[$0] - top) : 0 }
    let sum = q.reduce(0, +)
    for e in 0..<n { q[e] /= sum }
    return q
}

/// Backward of the gates: dz_e += Σ_i dg_i g_i (δ_{e, S_i} − q_i(e)) over e ∈ M_i.
func sparseMixerBackward<Scalar: BLASScalar>(_ z: UnsafePointer<Scalar>, experts n: Int, selection row: UnsafePointer<Int>,
                                              topK k: Int, epsilon: Double, gates g: UnsafePointer<Scalar>,
                                              dGates dg: UnsafePointer<Scalar>, dLogits dz: UnsafeMutablePointer<Scalar>) {
    for i in 0..<k {
        let q = sparseMixerSoftmax(z, experts: n, selection: row, slot: i, epsilon: epsilon)
        for e in 0..<n where q[e] != 0 || e == row[i] {
            dz[e] += dg[i] * g[i] * ((e == row[i] ? 1 : 0) - q[e])
        }
    }
}
