import LinearAlgebra
import Testing
import TestSupport
@testable import MoE

/// `tokenJacobians` against central differences of the forward, and the L = 0
/// decomposition J = I + Σ_i g_i J_{S_i} + J_shared + Σ_i E_{S_i}(x) ∇g_iᵀ.
@Suite struct JacobianTests {
    /// Central-difference Jacobian of a map R^d → R^m, column b = ∂f/∂x_b.
    static func numericJacobian(_ x: [Double], _ f: ([Double]) -> [Double]) -> Matrix<Double> {
        let m = f(x).count
        var j = Matrix<Double>(rows: m, cols: x.count)
        for b in x.indices {
            for a in 0..<m {
                j[a, b] = centralDifference(step: 1e-6) { s in
                    var moved = x
                    moved[b] += s
                    return f(moved)[a]
                }
            }
        }
        return j
    }

    static func maxAbsDifference(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
        zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0
    }

    @Test(arguments: [0, 2])
    func layerAndExpertJacobians(_ rounds: Int) throws {
        let config = LayerTestSupport.config(router: .softmaxTopK, norm: .layernorm, shared: true, rounds: rounds)
        let (layer, x, _) = try LayerTestSupport.wellSeparatedCase(config, tokens: 1, seed: 51)
        let jac = layer.tokenJacobians(x: x.data)
        #expect(jac.selectionStable)
        let out = layer.forward(x).output
        #expect(jac.topk == out.topk)
        #expect(jac.gates == out.gates.data)

        let numeric = Self.numericJacobian(x.data) { layer.forward(Matrix(rows: 1, cols: x.cols, data: $0)).output.y.data }
        #expect(Self.maxAbsDifference(jac.layer, numeric) < 1e-7)

        let reference = ReferenceLayer(config: config, parameters: layer.parameters)
        for (i, e) in jac.topk.enumerated() {
            let numericExpert = Self.numericJacobian(x.data) { reference.expert("experts.\(e)", $0) }
            #expect(Self.maxAbsDifference(jac.experts[i], numericExpert) < 1e-7)
            #expect(maxRelativeError(jac.expertOutputs[i], reference.expert("experts.\(e)", x.data)) < 1e-12)
        }
        let numericShared = Self.numericJacobian(x.data) { reference.expert("shared", $0) }
        let shared = try #require(jac.shared)
        #expect(Self.maxAbsDifference(shared, numericShared) < 1e-7)
    }

    /// For the weighted sum, R = J − I − Σ g_i J_{S_i} − J_shared is exactly the gate term
    /// Σ_i E_{S_i}(x) ∇g_iᵀ (∇g_i by central differences here).
    @Test(arguments: LayerConfig.Router.allCases)
    func weightedSumResidualIsGateTerm(_ router: LayerConfig.Router) throws {
        let config = LayerTestSupport.config(router: router, shared: true, rounds: 0)
        let (layer, x, _) = try LayerTestSupport.wellSeparatedCase(config, tokens: 1, seed: 61)
        let jac = layer.tokenJacobians(x: x.data)
        let shared = try #require(jac.shared)
        let d = config.dModel, k = config.topK
        let gateGradient = Self.numericJacobian(x.data) { layer.forward(Matrix(rows: 1, cols: d, data: $0)).output.gates.data }
        var residual = jac.layer, gateTerm = Matrix<Double>(rows: d, cols: d)
        for a in 0..<d {
            for b in 0..<d {
                if a == b { residual[a, b] -= 1 }
                residual[a, b] -= shared[a, b]
                for i in 0..<k {
                    residual[a, b] -= jac.gates[i] * jac.experts[i][a, b]
                    gateTerm[a, b] += jac.expertOutputs[i][a] * gateGradient[i, b]
                }
            }
        }
        #expect(Self.maxAbsDifference(residual, gateTerm) < 1e-7)
    }
}
