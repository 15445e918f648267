import Foundation
import LinearAlgebra
import Testing
import TestSupport
@testable import MoE

/// The DeepSeek-V3 style router extensions (`router_scores` = sigmoid, `selection_bias`,
/// groups ranked by the sum of their two best scores) against brute force, finite
/// differences and the excess-rank bound.
@Suite struct SigmoidRouterTests {
    static let groups = RouterGroups(count: 4, selected: 2, rank: .topTwoSum)

    static func config(router: LayerConfig.Router, rounds: Int, groups: RouterGroups? = SigmoidRouterTests.groups) -> LayerConfig {
        LayerConfig(dModel: 6, nExperts: 8, topK: 3, dFF: 4, dG: 3, dagLayers: rounds, normEps: 1e-5, router: router,
                    lbCoef: 0.3, zCoef: 0.2)
            .with(LayerExtensions(routerGroups: groups, routerScores: .sigmoid, selectionBias: true))
    }

    /// Random weights with a selection bias of order the scores' spread.
    static func parameters(_ config: LayerConfig, seed: UInt64) -> Parameters<Double> {
        var p = LayerTestSupport.randomParameters(config, seed: seed)
        var rng = SeededRandom(seed: seed &+ 77)
        p["router.selection_bias"] = Tensor(shape: [config.nExperts], data: (0..<config.nExperts).map { _ in rng.nextUniform(-0.3, 0.3) })
        return p
    }

    /// DeepseekV3TopkRouter by hand for one token: s = σ(Rx), key = s + b, groups ranked by
    /// the sum of their two best keys, S = top K of key among the kept groups (descending),
    /// g = s[S] (renormalised for topk_softmax); also the smallest gap at either cut.
    static func bruteForce(_ p: Parameters<Double>, _ x: [Double]) -> (topk: [Int], gates: [Double], margin: Double) {
        let c = p.config, n = c.nExperts, d = c.dModel, r = p["router.weight"].data, b = p["router.selection_bias"].data
        let s = (0..<n).map { e in 1 / (1 + Foundation.exp(-(0..<d).reduce(0.0) { $0 + r[e * d + $1] * x[$1] })) }
        let key = (0..<n).map { s[$0] + b[$0] }
        var allowed = Array(0..<n), margin = Double.infinity
        if let g = c.extensions.routerGroups {
            let size = n / g.count
            let score = (0..<g.count).map { grp in
                let top = (0..<size).map { key[grp * size + $0] }.sorted(by: >)
                return g.rank == .max ? top[0] : top[0] + top[1]
            }
            let order = (0..<g.count).sorted { score[$0] > score[$1] }
            margin = score[order[g.selected - 1]] - score[order[g.selected]]
            allowed = order.prefix(g.selected).flatMap { grp in (grp * size)..<((grp + 1) * size) }
        }
        let ranked = allowed.sorted { key[$0] > key[$1] }
        let topk = Array(ranked.prefix(c.topK))
        if ranked.count > c.topK { margin = min(margin, key[ranked[c.topK - 1]] - key[ranked[c.topK]]) }
        let sum = topk.reduce(0.0) { $0 + s[$1] }
        let gates = topk.map { c.router == .topKSoftmax ? s[$0] / sum : s[$0] }
        return (topk, gates, margin)
    }

    /// A layer and batch whose selection is at least 1e-3 from changing, trying seeds from `seed` on.
    static func separated(_ config: LayerConfig, tokens: Int, seed: UInt64) throws
        -> (layer: DAGMoELayer<Double>, x: Matrix<Double>, g: Matrix<Double>) {
        var s = seed
        while true {
            let p = parameters(config, seed: s)
            let x = LayerTestSupport.randomMatrix(rows: tokens, cols: config.dModel, seed: s &+ 7)
            let margin = (0..<tokens).map { t in bruteForce(p, Array(x.data[(t * config.dModel)..<((t + 1) * config.dModel)])).margin }.min()!
            if margin >= 1e-3 {
                return (try DAGMoELayer(parameters: p), x, LayerTestSupport.randomMatrix(rows: tokens, cols: config.dModel, seed: s &+ 13))
            }
            s &+= 101
        }
    }

    @Test(arguments: [LayerConfig.Router.softmaxTopK, .topKSoftmax], [RouterGroups?.none, groups])
    func selectionAndGatesMatchBruteForce(router: LayerConfig.Router, groups: RouterGroups?) throws {
        let config = Self.config(router: router, rounds: 0, groups: groups)
        for seed in UInt64(1)...6 {
            let p = Self.parameters(config, seed: seed)
            let x = LayerTestSupport.randomMatrix(rows: 5, cols: 6, seed: seed &+ 40)
            let out = try DAGMoELayer(parameters: p).forward(x).output
            for t in 0..<5 {
                let want = Self.bruteForce(p, Array(x.data[(t * 6)..<((t + 1) * 6)]))
                guard want.margin > 1e-9 else { continue }
                #expect(Array(out.selection(ofToken: t)) == want.topk, "seed \(seed) token \(t)")
                for i in 0..<3 { #expect(abs(out.gates[t, i] - want.gates[i]) < 1e-14) }
            }
        }
    }

    /// The bias moves the selection: with b large on one expert, that expert is always selected,
    /// while its gate stays σ(z) (the bias never enters a gate).
    @Test func biasSelectsButDoesNotWeigh() throws {
        let config = Self.config(router: .softmaxTopK, rounds: 0, groups: nil)
        var p = Self.parameters(config, seed: 5)
        p["router.selection_bias"] = Tensor(shape: [8], data: [0, 0, 0, 0, 0, 10, 0, 0])
        let x = LayerTestSupport.randomMatrix(rows: 7, cols: 6, seed: 9)
        let out = try DAGMoELayer(parameters: p).forward(x).output
        let r = p["router.weight"].data
        for t in 0..<7 {
            #expect(out.selection(ofToken: t).first == 5)
            let z = (0..<6).reduce(0.0) { $0 + r[5 * 6 + $1] * x[t, $1] }
            #expect(abs(out.gates[t, 0] - 1 / (1 + Foundation.exp(-z))) < 1e-14)
        }
    }

    /// Central differences (ε = 1e-6) along a random direction for every weight (the bias's
    /// gradient is zero, and so is its finite difference away from a selection change) and x,
    /// with both auxiliary losses on.
    @Test(arguments: [LayerConfig.Router.softmaxTopK, .topKSoftmax], [0, 2])
    func backwardMatchesFiniteDifferences(router: LayerConfig.Router, rounds: Int) throws {
        let (layer, x, g) = try Self.separated(Self.config(router: router, rounds: rounds), tokens: 4, seed: 3)
        let checks = LayerTestSupport.directionalChecks(layer, x, g, seed: 8, epsilon: 1e-6)
        #expect(checks.contains { $0.name == "router.selection_bias" })
        for check in checks {
            #expect(abs(check.numeric - check.analytic) <= 1e-6 * max(1, abs(check.numeric)), "\(check.name)")
        }
    }

    /// L = 0: R = J − I − Σ g_i J_{S_i} is the gate term Σ E_i ∇g_iᵀ, of rank K for
    /// unnormalised sigmoid gates and K − 1 for renormalised ones (they sum to one).
    @Test(arguments: [(LayerConfig.Router.softmaxTopK, 3), (.topKSoftmax, 2)])
    func excessRankIsTheGateTermsRank(router: LayerConfig.Router, expected: Int) throws {
        let (layer, x, _) = try Self.separated(Self.config(router: router, rounds: 0), tokens: 1, seed: 11)
        let jac = layer.tokenJacobians(x: x.data)
        #expect(jac.selectionStable)
        #expect(jac.shared == nil)
        let (sv, norm) = try excessSingularValues(jac)
        #expect(sv.filter { $0 > 1e-10 * norm }.count == expected, "\(sv)")
    }

    @Test func topTwoSumNeedsTwoExpertsPerGroup() {
        let config = LayerConfig(dModel: 4, nExperts: 4, topK: 2, dFF: 2, dG: 1, dagLayers: 0)
            .with(LayerExtensions(routerGroups: RouterGroups(count: 4, selected: 2, rank: .topTwoSum)))
        #expect(throws: LayerConfigError.self) { try config.validate() }
    }
}
