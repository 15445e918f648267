import Foundation
import LinearAlgebra
import Testing
@testable import MoE

/// PhiMoE's sparse mixer (extension `sparse_mixer`) against the formula of transformers'
/// `sparsemixer` at inference, and its backward by finite differences.
@Suite struct SparseMixerTests {
    static func config(rounds: Int, epsilon: Double = 0.3) -> LayerConfig {
        LayerConfig(dModel: 6, nExperts: 5, topK: 2, dFF: 4, dG: 3, dagLayers: rounds, normEps: 1e-5,
                    router: .softmaxTopK, lbCoef: 0.3, zCoef: 0.2)
            .with(LayerExtensions(sparseMixer: epsilon))
    }

    /// S_1 = argmax z, g_1 = softmax over {e : (z_max − z_e)/max(|z_e|, z_max) ≤ 2ε} at S_1;
    /// S_2 = argmax without S_1, g_2 likewise without S_1; both masks vary across tokens.
    @Test func gatesMatchTheFormula() throws {
        let p = LayerTestSupport.randomParameters(Self.config(rounds: 0), seed: 3)
        let x = LayerTestSupport.randomMatrix(rows: 20, cols: 6, seed: 4)
        let out = try DAGMoELayer(parameters: p).forward(x).output
        let r = p["router.weight"].data
        var maskSizes = Set<Int>()
        for t in 0..<20 {
            var z = [Double](repeating: 0, count: 5)
            for e in 0..<5 { for c in 0..<6 { z[e] += r[e * 6 + c] * x[t, c] } }
            var removed: [Int] = []
            for i in 0..<2 {
                let pick = (0..<5).filter { !removed.contains($0) }.max { z[$0] < z[$1] }!
                let top = z[pick]
                let kept = (0..<5).filter { !removed.contains($0) && (top - z[$0]) / max(abs(z[$0]), top) <= 0.6 }
                maskSizes.insert(kept.count)
                let g = Foundation.exp(0) / kept.reduce(0.0) { $0 + Foundation.exp(z[$1] - top) }
                #expect(out.selection(ofToken: t)[t * 2 + i] == pick)
                #expect(abs(out.gates[t, i] - g) < 1e-14)
                removed.append(pick)
            }
        }
        #expect(maskSizes.count > 1, "every mask had the same size: the test would not see the mask")
    }

    /// Central differences (ε = 1e-6) for every weight and x, both losses, L = 0 and 2.
    @Test(arguments: [0, 2])
    func backwardMatchesFiniteDifferences(rounds: Int) throws {
        let (layer, x, g) = try LayerTestSupport.wellSeparatedCase(Self.config(rounds: rounds), tokens: 4, seed: 5)
        for check in LayerTestSupport.directionalChecks(layer, x, g, seed: 8, epsilon: 1e-6) {
            #expect(abs(check.numeric - check.analytic) <= 1e-6 * max(1, abs(check.numeric)), "\(check.name)")
        }
    }

    @Test func needsTwoExperts() {
        let config = LayerConfig(dModel: 4, nExperts: 4, topK: 3, dFF: 2, dG: 1, dagLayers: 0).with(LayerExtensions(sparseMixer: 0.01))
        #expect(throws: LayerConfigError.self) { try config.validate() }
    }
}
