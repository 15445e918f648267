import LinearAlgebra
@testable import MoE
import Testing
import TestSupport

/// The chain baseline: one iteration is the weighted-sum layer, two iterations compose,
/// and backward agrees with central finite differences in Float64 for every weight and x.
@Suite struct ChainTests {
    static func config(router: LayerConfig.Router) -> LayerConfig {
        LayerConfig(dModel: 5, nExperts: 4, topK: 2, dFF: 3, dG: 0, dagLayers: 0, router: router,
                    lbCoef: 0.3, zCoef: 0.2)
    }

    /// A chain with order-one routers and a batch whose selections (every iteration) are
    /// unchanged by steps of ±1e-5 in any coordinate checked.
    static func chain(_ config: LayerConfig, iterations: Int, seed: UInt64) throws -> ChainLayer<Double> {
        var chain = try ChainLayer<Double>(config: config, iterations: iterations, seed: seed)
        var rng = SeededRandom(seed: seed &+ 77)
        for c in 0..<iterations {
            let name = ChainLayer<Double>.routerName(c)
            chain.weights[name]!.data = chain.weights[name]!.data.map { _ in rng.nextNormal() }
        }
        return chain
    }

    /// J = ⟨y, G⟩ + Σ_c (lb_coef·lb_c + z_coef·zl_c), and the selections of every iteration.
    static func objective(_ chain: ChainLayer<Double>, _ x: Matrix<Double>, _ g: Matrix<Double>) -> (Double, [[Int]]) {
        let (y, outs, _) = chain.forward(x)
        var j = zip(y.data, g.data).reduce(0) { $0 + $1.0 * $1.1 }
        for o in outs { j += chain.config.lbCoef * o.loadBalanceLoss + chain.config.zCoef * o.zLoss }
        return (j, outs.map(\.topk))
    }

    @Test func oneIterationIsTheWeightedSumLayer() throws {
        let config = ChainTests.config(router: .softmaxTopK)
        let chain = try ChainLayer<Double>(config: config, iterations: 1, seed: 3)
        let layer = try DAGMoELayer(parameters: Parameters<Double>(initializing: config, seed: 3))
        var rng = SeededRandom(seed: 1)
        let x = Matrix<Double>(rows: 6, cols: 5, data: (0..<30).map { _ in rng.nextNormal() })
        #expect(chain.forward(x).y == layer.forward(x).output.y)
    }

    @Test func twoIterationsApplyExpertsToTheFirstOutput() throws {
        // x^2 = x^1 + Σ g E(x^1) with x^1 the weighted-sum layer's output: rebuild it from two
        // separate L = 0 layers that share the experts.
        let config = ChainTests.config(router: .topKSoftmax)
        let chain = try ChainTests.chain(config, iterations: 2, seed: 5)
        var second = chain.weights
        second["router.weight"] = chain.weights["chain.1.router.weight"]
        second["chain.1.router.weight"] = nil
        let l0 = try DAGMoELayer(parameters: Parameters(config: config, tensors: chain.weights.filter { $0.key != "chain.1.router.weight" }))
        let l1 = try DAGMoELayer(parameters: Parameters(config: config, tensors: second))
        var rng = SeededRandom(seed: 2)
        let x = Matrix<Double>(rows: 4, cols: 5, data: (0..<20).map { _ in rng.nextNormal() })
        let want = l1.forward(l0.forward(x).output.y).output.y
        let got = chain.forward(x).y
        for (a, b) in zip(got.data, want.data) { #expect(Swift.abs(a - b) < 1e-14) }
    }

    @Test(arguments: [LayerConfig.Router.softmaxTopK, .topKSoftmax])
    func backwardMatchesFiniteDifferences(router: LayerConfig.Router) throws {
        let config = ChainTests.config(router: router)
        let chain = try ChainTests.chain(config, iterations: 3, seed: 11)
        var rng = SeededRandom(seed: 12)
        let x = Matrix<Double>(rows: 5, cols: 5, data: (0..<25).map { _ in rng.nextNormal() })
        let g = Matrix<Double>(rows: 5, cols: 5, data: (0..<25).map { _ in rng.nextNormal() })
        let (_, outs, cache) = chain.forward(x)
        let (gradX, grads) = chain.backward(cache, gradY: g)
        let selection = outs.map(\.topk)
        let h = 1e-5
        var worst = 0.0

        func central(_ perturb: (inout ChainLayer<Double>, inout Matrix<Double>, Double) -> Void) -> Double {
            centralDifference(step: h) { s in
                var moved = chain, movedX = x
                perturb(&moved, &movedX, s)
                let (j, selected) = ChainTests.objective(moved, movedX, g)
                #expect(selected == selection, "a step of \(s) changed a selection")
                return j
            }
        }
        for name in ChainLayer<Double>.shapes(config: config, iterations: 3).map(\.name) {
            for i in 0..<grads[name]!.data.count {
                let fd = central { c, _, step in c.weights[name]!.data[i] += step }
                worst = max(worst, Swift.abs(fd - grads[name]!.data[i]) / max(1, Swift.abs(fd)))
            }
        }
        for i in 0..<x.data.count {
            let fd = central { _, xv, step in xv.data[i] += step }
            worst = max(worst, Swift.abs(fd - gradX.data[i]) / max(1, Swift.abs(fd)))
        }
        #expect(worst < 1e-7)
        #expect(grads["chain.2.router.weight"]!.data.contains { $0 != 0 })
    }

    @Test func badChainsAreErrors() {
        var config = ChainTests.config(router: .softmaxTopK)
        #expect(throws: ChainError.self) { try ChainLayer<Float>(config: config, iterations: 0, seed: 1) }
        config.dagLayers = 1
        config.dG = 2
        #expect(throws: ChainError.self) { try ChainLayer<Float>(config: config, iterations: 2, seed: 1) }
    }
}
