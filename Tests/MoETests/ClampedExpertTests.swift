import Foundation
import LinearAlgebra
import Testing
import TestSupport
@testable import MoE

/// gpt-oss's block as extensions: the router's logit bias (`router_bias`), expert biases
/// (`expert_bias`) and the clamped SwiGLU (`swiglu_alpha`, `swiglu_limit`).
@Suite struct ClampedExpertTests {
    static let clamp = ClampedSwiGLU(alpha: 1.702, limit: 0.9)

    static func config(rounds: Int) -> LayerConfig {
        LayerConfig(dModel: 6, nExperts: 5, topK: 2, dFF: 4, dG: 3, dagLayers: rounds, normEps: 1e-5,
                    router: .topKSoftmax, lbCoef: 0.3, zCoef: 0.2)
            .with(LayerExtensions(routerBias: true, expertBias: true, clampedSwiGLU: clamp))
    }

    /// Random weights, the biases included (a fresh layer has them at zero).
    static func parameters(_ config: LayerConfig, seed: UInt64) -> Parameters<Double> {
        var p = LayerTestSupport.randomParameters(config, seed: seed)
        var rng = SeededRandom(seed: seed &+ 99)
        for (name, shape) in config.parameterShapes where name.hasSuffix(".bias") && !name.hasPrefix("dag.") {
            p[name] = Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.nextUniform(-0.5, 0.5) })
        }
        return p
    }

    /// One expert by the formula: a = W1 x + b1, b = W3 x + b3, ā = min(a, L), b̄ = clamp(b, ±L),
    /// E = W2 ((b̄ + 1) ā σ(α ā)) + b2.
    static func expert(_ p: Parameters<Double>, _ e: Int, _ x: [Double]) -> [Double] {
        let ff = p.config.dFF, d = p.config.dModel, name = { (w: String) in "experts.\(e).\(w)" }
        let w1 = p[name("w1.weight")].data, w3 = p[name("w3.weight")].data, w2 = p[name("w2.weight")].data
        let b1 = p[name("w1.bias")].data, b3 = p[name("w3.bias")].data, b2 = p[name("w2.bias")].data
        let h = (0..<ff).map { f -> Double in
            let a = min(b1[f] + (0..<d).reduce(0.0) { $0 + w1[f * d + $1] * x[$1] }, clamp.limit)
            let b = min(max(b3[f] + (0..<d).reduce(0.0) { $0 + w3[f * d + $1] * x[$1] }, -clamp.limit), clamp.limit)
            return (b + 1) * a / (1 + Foundation.exp(-clamp.alpha * a))
        }
        return (0..<d).map { c in b2[c] + (0..<ff).reduce(0.0) { $0 + w2[c * ff + $1] * h[$1] } }
    }

    /// L = 0: S = top K of z = Rx + c, g = softmax(z[S]), y = x + Σ g_i E_{S_i}(x), by hand.
    @Test func forwardMatchesTheFormula() throws {
        let p = Self.parameters(Self.config(rounds: 0), seed: 2)
        let x = LayerTestSupport.randomMatrix(rows: 6, cols: 6, seed: 3)
        let out = try DAGMoELayer(parameters: p).forward(x).output
        let r = p["router.weight"].data, c = p["router.bias"].data
        var clamped = 0
        for t in 0..<6 {
            let row = Array(x.data[(t * 6)..<((t + 1) * 6)])
            let z: [Double] = (0..<5).map { e in
                var v = c[e]
                for k in 0..<6 { v += r[e * 6 + k] * row[k] }
                return v
            }
            let top = (0..<5).sorted { z[$0] > z[$1] }.prefix(2)
            #expect(Array(out.selection(ofToken: t)) == Array(top))
            let m = z[top.first!], w = top.map { Foundation.exp(z[$0] - m) }, sum = w.reduce(0, +)
            var y = row
            for (i, e) in top.enumerated() {
                let ex = Self.expert(p, e, row)
                for k in 0..<6 { y[k] += w[i] / sum * ex[k] }
            }
            for k in 0..<6 { #expect(abs(out.y[t, k] - y[k]) < 1e-12) }
            let w1 = p["experts.\(top.first!).w1.weight"].data, b1 = p["experts.\(top.first!).w1.bias"].data
            for f in 0..<4 {
                var a = b1[f]
                for k in 0..<6 { a += w1[f * 6 + k] * row[k] }
                if a > Self.clamp.limit { clamped += 1 }
            }
        }
        #expect(clamped > 0, "the clamp never acted: the test would not see it")
    }

    /// Central differences (ε = 1e-6) for every weight (biases included) and x, both losses, L = 0 and 2.
    @Test(arguments: [0, 2])
    func backwardMatchesFiniteDifferences(rounds: Int) throws {
        let config = Self.config(rounds: rounds)
        var seed: UInt64 = 5
        while LayerTestSupport.selectionMargin(try DAGMoELayer(parameters: Self.parameters(config, seed: seed)),
                                               LayerTestSupport.randomMatrix(rows: 4, cols: 6, seed: seed &+ 7)) < 1e-3 {
            seed &+= 101
        }
        let layer = try DAGMoELayer(parameters: Self.parameters(config, seed: seed))
        let x = LayerTestSupport.randomMatrix(rows: 4, cols: 6, seed: seed &+ 7)
        let g = LayerTestSupport.randomMatrix(rows: 4, cols: 6, seed: seed &+ 13)
        let checks = LayerTestSupport.directionalChecks(layer, x, g, seed: 8, epsilon: 1e-6)
        #expect(checks.contains { $0.name == "router.bias" } && checks.contains { $0.name == "experts.1.w2.bias" })
        for check in checks {
            #expect(abs(check.numeric - check.analytic) <= 1e-6 * max(1, abs(check.numeric)), "\(check.name)")
        }
    }

    /// L = 0, renormalised gates: the excess rank is K − 1 with the clamped experts' Jacobians.
    @Test func excessRankIsKMinusOne() throws {
        let layer = try DAGMoELayer(parameters: Self.parameters(Self.config(rounds: 0), seed: 31))
        let x = LayerTestSupport.randomMatrix(rows: 1, cols: 6, seed: 32)
        let jac = layer.tokenJacobians(x: x.data)
        #expect(jac.shared == nil)
        let (sv, norm) = try excessSingularValues(jac)
        #expect(sv.filter { $0 > 1e-10 * norm }.count == 1, "\(sv)")
    }
}
