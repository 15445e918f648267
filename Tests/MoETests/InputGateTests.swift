import Foundation
import LinearAlgebra
import Testing
import TestSupport
@testable import MoE

/// The extension `gate_scales_input` (Llama 4): node i starts as E_{S_i}(g_i x) + x/K.
@Suite struct InputGateTests {
    static func config(rounds: Int) -> LayerConfig {
        LayerConfig(dModel: 6, nExperts: 5, topK: 2, dFF: 4, dG: 3, dagLayers: rounds, normEps: 1e-5,
                    router: .softmaxTopK, sharedDFF: 3, lbCoef: 0.3, zCoef: 0.2)
            .with(LayerExtensions(routerScores: .sigmoid, gateScalesInput: true))
    }

    /// y − x − Es(x) = Σ_i E_{S_i}(σ(z_{S_i}) x) at L = 0, against the formula.
    @Test func expertsRunOnTheGatedInput() throws {
        let p = LayerTestSupport.randomParameters(Self.config(rounds: 0), seed: 4)
        let x = LayerTestSupport.randomMatrix(rows: 5, cols: 6, seed: 5)
        var ext = p.config.extensions
        ext.gateScalesInput = false
        let plain = Parameters<Double>(config: p.config.with(ext), tensors: p.tensors)
        let out = try DAGMoELayer(parameters: p).forward(x)
        let shared = try DAGMoELayer(parameters: plain).forward(x)
        for t in 0..<5 {
            let row = Array(x.data[(t * 6)..<((t + 1) * 6)])
            var want = [Double](repeating: 0, count: 6)
            var plainRouted = [Double](repeating: 0, count: 6)
            for (i, e) in out.output.selection(ofToken: t).enumerated() {
                let g = out.output.gates[t, i]
                let gated = LayerTestSupport.swiglu(p, "experts.\(e)", dFF: p.config.dFF, row.map { $0 * g })
                let ungated = LayerTestSupport.swiglu(p, "experts.\(e)", dFF: p.config.dFF, row)
                for c in 0..<6 {
                    want[c] += gated[c]
                    plainRouted[c] += g * ungated[c]
                }
            }
            // The same layer with the gate on the output differs exactly by the routed part.
            for c in 0..<6 {
                let got = out.output.y[t, c] - shared.output.y[t, c]
                #expect(abs(got - (want[c] - plainRouted[c])) < 1e-12)
            }
        }
    }

    /// Central differences (ε = 1e-6) for every weight and x, both losses on, L = 0 and 2.
    @Test(arguments: [0, 2])
    func backwardMatchesFiniteDifferences(rounds: Int) throws {
        let (layer, x, g) = try LayerTestSupport.wellSeparatedCase(Self.config(rounds: rounds), tokens: 4, seed: 17)
        for check in LayerTestSupport.directionalChecks(layer, x, g, seed: 8, epsilon: 1e-6) {
            #expect(abs(check.numeric - check.analytic) <= 1e-6 * max(1, abs(check.numeric)), "\(check.name)")
        }
    }

    /// L = 0: with J_{S_i} taken at g_i x, R = Σ_i J_{S_i} x ∇g_iᵀ has rank K.
    @Test func excessRankIsK() throws {
        let (layer, x, _) = try LayerTestSupport.wellSeparatedCase(Self.config(rounds: 0), tokens: 1, seed: 23)
        let jac = layer.tokenJacobians(x: x.data)
        #expect(jac.shared != nil)
        let (sv, norm) = try excessSingularValues(jac)
        #expect(sv.filter { $0 > 1e-10 * norm }.count == 2, "\(sv)")
    }
}
