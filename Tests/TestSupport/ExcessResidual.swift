import LinearAlgebra
import MoE

/// The tests' own excess R = J − I − Σ g_i J_{S_i} − J_shared from one token's Jacobians (formed
/// here, not by Analysis's `ExcessRankAnalysis.residual`), as R's singular values and ‖J‖₂.
public func excessSingularValues(_ jac: TokenJacobians<Double>) throws -> (values: [Double], normJ: Double) {
    var r = jac.layer
    for a in 0..<r.rows { r[a, a] -= 1 }
    for (g, j) in zip(jac.gates, jac.experts) { for n in r.data.indices { r.data[n] -= g * j.data[n] } }
    if let s = jac.shared { for n in r.data.indices { r.data[n] -= s.data[n] } }
    return (try r.singularValues(), try jac.layer.singularValues()[0])
}
