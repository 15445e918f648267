import Foundation
import LinearAlgebra
import Testing
import TestSupport
@testable import MoE

/// The layer's extensions for real models (`LayerExtensions`): the sigmoid shared-expert
/// gate and group-limited selection, each against an independent computation.
@Suite struct LayerExtensionTests {
    static func gatedConfig(router: LayerConfig.Router = .softmaxTopK, rounds: Int = 1) -> LayerConfig {
        LayerTestSupport.config(router: router, shared: true, rounds: rounds).with(LayerExtensions(sharedGate: true))
    }

    @Test func sharedGateScalesTheSharedExpertBySigmoid() throws {
        let config = Self.gatedConfig()
        let p = LayerTestSupport.randomParameters(config, seed: 3)
        let gated = try DAGMoELayer(parameters: p)
        var plainParameters = Parameters<Double>(config: config.with(LayerExtensions()), tensors: p.tensors)
        plainParameters.tensors["shared_gate.weight"] = nil
        let plain = try DAGMoELayer(parameters: plainParameters)
        let x = LayerTestSupport.randomMatrix(rows: 5, cols: config.dModel, seed: 4)
        let yGated = gated.forward(x).output.y, yPlain = plain.forward(x).output.y
        let w = p["shared_gate.weight"].data
        for t in 0..<x.rows {
            let row = Array(x.data[(t * 6)..<((t + 1) * 6)])
            let s = 1 / (1 + Foundation.exp(-zip(w, row).reduce(0) { $0 + $1.0 * $1.1 }))
            let es = LayerTestSupport.swiglu(p, "shared", dFF: p.config.sharedDFF, row)
            for c in 0..<6 {
                #expect(abs((yGated[t, c] - yPlain[t, c]) - (s - 1) * es[c]) < 1e-12)
            }
        }
    }

    /// Central differences (ε = 1e-6, tolerance 1e-6 relative as in GradientCheckTests)
    /// along a random direction for every weight, the gate's included, and for x.
    @Test(arguments: [LayerConfig.Router.softmaxTopK, .topKSoftmax], [0, 2])
    func sharedGateBackwardMatchesFiniteDifferences(router: LayerConfig.Router, rounds: Int) throws {
        let config = Self.gatedConfig(router: router, rounds: rounds)
        let (layer, x, g) = try LayerTestSupport.wellSeparatedCase(config, tokens: 4, seed: 21)
        #expect(layer.parameters.names.contains("shared_gate.weight"))
        for check in LayerTestSupport.directionalChecks(layer, x, g, seed: 8, epsilon: 1e-6) {
            #expect(abs(check.numeric - check.analytic) <= 1e-6 * max(1, abs(check.numeric)), "\(check.name)")
        }
    }

    /// With L = 0 the excess R = J − I − Σ g_i J_i − s·J_s is the gate term plus the
    /// shared gate's rank-one term: rank K + 1 (softmax_topk) or K (topk_softmax).
    @Test(arguments: [(LayerConfig.Router.softmaxTopK, 4), (.topKSoftmax, 3)])
    func sharedGateAddsOneToTheExcessRank(router: LayerConfig.Router, expected: Int) throws {
        let config = Self.gatedConfig(router: router, rounds: 0)
        let (layer, x, _) = try LayerTestSupport.wellSeparatedCase(config, tokens: 1, seed: 31)
        let jac = layer.tokenJacobians(x: x.data)
        #expect(jac.shared != nil)
        let (sv, norm) = try excessSingularValues(jac)
        #expect(sv.filter { $0 > 1e-10 * norm }.count == expected, "\(sv)")
    }

    /// Group-limited selection against brute force: the top K of p among the experts of
    /// the kept groups (groups ranked by their largest p).
    @Test func groupLimitedSelectionMatchesBruteForce() throws {
        let base = LayerConfig(dModel: 5, nExperts: 8, topK: 3, dFF: 2, dG: 1, dagLayers: 0)
        let config = base.with(LayerExtensions(routerGroups: RouterGroups(count: 4, selected: 2)))
        let p = LayerTestSupport.randomParameters(config, seed: 9)
        let grouped = try DAGMoELayer(parameters: p)
        let greedy = try DAGMoELayer(parameters: Parameters(config: base, tensors: p.tensors))
        let x = LayerTestSupport.randomMatrix(rows: 40, cols: 5, seed: 10)
        let out = grouped.forward(x).output, plain = greedy.forward(x).output
        let probs = StructureProbe.probabilities(p, x)
        var differs = 0
        for t in 0..<x.rows {
            let pt = probs[t]
            let groupMax = (0..<4).map { g in pt[(2 * g)..<(2 * g + 2)].max()! }
            let kept = Set((0..<4).sorted { groupMax[$0] > groupMax[$1] }.prefix(2))
            let expected = (0..<8).filter { kept.contains($0 / 2) }.sorted { pt[$0] > pt[$1] }.prefix(3)
            #expect(Array(out.selection(ofToken: t)) == Array(expected))
            for i in 0..<3 { #expect(abs(out.gates[t, i] - pt[expected[expected.startIndex + i]]) < 1e-14) }
            if out.selection(ofToken: t) != plain.selection(ofToken: t) { differs += 1 }
        }
        #expect(differs > 0, "the grouping never changed a selection: the test would not see it missing")
    }

    @Test func invalidExtensionsNameTheirKey() {
        let noShared = LayerConfig(dModel: 4, nExperts: 4, topK: 2, dFF: 2, dG: 1, dagLayers: 0)
            .with(LayerExtensions(sharedGate: true))
        let grouped = [(RouterGroups(count: 3, selected: 1), "router_groups"),
                       (RouterGroups(count: 2, selected: 3), "router_topk_groups"),
                       (RouterGroups(count: 4, selected: 1), "router_topk_groups")].map { groups, key in
            (LayerConfig(dModel: 4, nExperts: 4, topK: 2, dFF: 2, dG: 1, dagLayers: 0)
                .with(LayerExtensions(routerGroups: groups)), key)
        }
        for (c, key) in [(noShared, "shared_gate")] + grouped {
            do {
                try c.validate()
                Issue.record("\(c.extensions) validated")
            } catch let error as LayerConfigError {
                #expect(error.key == key)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}

/// p = softmax(R x) per token, computed directly for the brute-force selection.
enum StructureProbe {
    static func probabilities(_ p: Parameters<Double>, _ x: Matrix<Double>) -> [[Double]] {
        let n = p.config.nExperts, d = p.config.dModel, r = p["router.weight"].data
        return (0..<x.rows).map { t in
            let z = (0..<n).map { e in (0..<d).reduce(0.0) { $0 + r[e * d + $1] * x[t, $1] } }
            let m = z.max()!
            let e = z.map { Foundation.exp($0 - m) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
    }
}
