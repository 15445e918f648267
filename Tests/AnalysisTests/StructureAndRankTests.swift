import Analysis
import Foundation
import LinearAlgebra
import MoE
import Testing

@Suite struct StructureAndRankTests {
    /// Routing statistics against a count of the selections and a softmax computed here.
    @Test func routingByHand() throws {
        let layer = try smallLayer(dagLayers: 0)
        let inputs = AnalysisInputs.random(count: 7, d: layer.config.dModel, seed: 4)
        let (out, cache) = layer.forward(inputs.x)
        let s = StructureStatistics(config: layer.config, output: out, probabilities: cache.routerProbabilities)
        let n = layer.config.nExperts, d = layer.config.dModel
        var counts = [Double](repeating: 0, count: n)
        for e in out.topk { counts[e] += 1 }
        #expect(s.routing.utilization == counts.map { $0 / Double(7 * layer.config.topK) })
        let router = layer.parameters["router.weight"].data
        var entropy = 0.0
        for t in 0..<7 {
            let z = (0..<n).map { e in (0..<d).reduce(0.0) { $0 + router[e * d + $1] * inputs.x[t, $1] } }
            let m = z.max()!, w = z.map { exp($0 - m) }, total = w.reduce(0, +)
            entropy -= w.map { $0 / total }.map { $0 * log($0) }.reduce(0, +)
        }
        #expect(abs(s.routing.routingEntropy - entropy / 7) < 1e-12)
        #expect(abs(s.routing.maxEntropy - log(Double(n))) < 1e-15)
        #expect(s.rounds.isEmpty && s.distinctPatterns == 1 && s.possiblePatternsLog2 == 0)
    }

    /// Edge-gate statistics: every gate lands in one histogram bin, and the pattern counts
    /// are those of the thresholded gates.
    @Test func edgeGateStatistics() throws {
        let layer = try smallLayer(dagLayers: 2)
        let inputs = AnalysisInputs.random(count: 9, d: layer.config.dModel, seed: 5)
        let (out, cache) = layer.forward(inputs.x)
        let s = StructureStatistics(config: layer.config, output: out, probabilities: cache.routerProbabilities)
        let k = layer.config.topK
        #expect(s.rounds.count == 2 && s.possiblePatternsLog2 == 2 * k * k)
        for (l, round) in s.rounds.enumerated() {
            #expect(round.histogram.reduce(0, +) == 9 * k * k)
            let gates = out.edgeGates[l].data
            #expect(abs(round.mean - gates.reduce(0, +) / Double(gates.count)) < 1e-15)
            let patterns = Set((0..<9).map { t in gates[(t * k * k)..<((t + 1) * k * k)].map { $0 > 0.5 } })
            #expect(round.distinctPatterns == patterns.count)
        }
    }

    /// A fresh layer's rounds have up = 0, so they add nothing: the excess rank stays within
    /// K − 1 (softmax_topk with K < N: K). Random `up` weights make it structural, at the bound.
    @Test func excessRankVerdicts() throws {
        var layer = try smallLayer(dagLayers: 1, d: 8)
        let inputs = AnalysisInputs.random(count: 3, d: 8, seed: 6).firstTokens(3)
        let fresh = try ExcessRankAnalysis(layer: layer, inputs: inputs, relativeTolerance: 1e-10)
        #expect(fresh.weightedSumBound == 2 && fresh.bound == min(8, 3 + 2))
        #expect(fresh.verdict == .weightedSum)
        var rng = SeededRandom(seed: 8)
        layer.parameters["dag.0.up.weight"].data = layer.parameters["dag.0.up.weight"].data.map { _ in rng.nextNormal() }
        let used = try ExcessRankAnalysis(layer: layer, inputs: inputs, relativeTolerance: 1e-10)
        #expect(used.verdict == .structural)
        #expect(used.stableRanks.allSatisfy { $0 == used.bound })
    }
}
