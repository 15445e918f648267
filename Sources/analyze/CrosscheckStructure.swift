import Foundation
import LinearAlgebra
import MoE

/// Statistics of the learned DAGs and of the routing over a batch of tokens.
///
/// A token's DAG is its L thresholded K×K edge-gate matrices (e_ij > 0.5, self-edges
/// included), so 2^(L·K²) patterns are possible; with L = 0 there is one, the empty one.
struct StructureStatistics {
    struct Round {
        /// Counts of edge gates in [0, 0.1), [0.1, 0.2), …, [0.9, 1].
        let histogram: [Int]
        let mean: Double
        /// Fraction of edge gates above 0.5.
        let fractionAbove: Double
        /// Distinct thresholded K×K matrices of this round across tokens.
        let distinctPatterns: Int
    }

    static let bins = 10
    let tokens: Int
    let rounds: [Round]
    /// Distinct whole-token patterns (all rounds together) across tokens.
    let distinctPatterns: Int
    /// log2 of the number of possible patterns, L·K² (nil if that overflows Int).
    let possiblePatternsLog2: Int?
    /// Per expert, the fraction of the T·K (token, slot) pairs routed to it.
    let utilization: [Double]
    /// Mean over tokens of the entropy of p (nats); at most log N.
    let routingEntropy: Double
    /// Entropy of `utilization` (nats); log N when the load is perfectly balanced.
    let utilizationEntropy: Double

    init(layer: DAGMoELayer<Double>, inputs: Matrix<Double>) {
        let config = layer.config, k = config.topK, t = inputs.rows
        let (out, _) = layer.forward(inputs)
        tokens = t
        var counts = [Int](repeating: 0, count: config.nExperts)
        for e in out.topk { counts[e] += 1 }
        utilization = counts.map { Double($0) / Double(t * k) }
        utilizationEntropy = StructureStatistics.entropy(utilization)
        routingEntropy = StructureStatistics.routerProbabilities(layer: layer, inputs: inputs)
            .map(StructureStatistics.entropy).reduce(0, +) / Double(t)

        var whole = Set<[Bool]>()
        var tokenPatterns = [[Bool]](repeating: [], count: t)
        rounds = out.edgeGates.map { gates in
            var histogram = [Int](repeating: 0, count: StructureStatistics.bins)
            var sum = 0.0, above = 0
            var patterns = Set<[Bool]>()
            for token in 0..<t {
                let values = gates.data[(token * k * k)..<((token + 1) * k * k)]
                for v in values {
                    histogram[min(StructureStatistics.bins - 1, max(0, Int(v * Double(StructureStatistics.bins))))] += 1
                    sum += v
                    if v > 0.5 { above += 1 }
                }
                let pattern = values.map { $0 > 0.5 }
                patterns.insert(pattern)
                tokenPatterns[token] += pattern
            }
            let n = Double(gates.data.count)
            return Round(histogram: histogram, mean: sum / n, fractionAbove: Double(above) / n,
                         distinctPatterns: patterns.count)
        }
        for p in tokenPatterns { whole.insert(p) }
        distinctPatterns = whole.count
        let (kk, o1) = k.multipliedReportingOverflow(by: k)
        let (e, o2) = config.dagLayers.multipliedReportingOverflow(by: kk)
        possiblePatternsLog2 = o1 || o2 ? nil : e
    }

    /// p = softmax(R x) for every token (the router's full distribution).
    static func routerProbabilities(layer: DAGMoELayer<Double>, inputs: Matrix<Double>) -> [[Double]] {
        let config = layer.config, n = config.nExperts
        let router = Matrix(rows: n, cols: config.dModel, data: layer.parameters["router.weight"].data)
        let logits = Matrix.product(inputs, router, transposeB: true)
        return (0..<inputs.rows).map { t in
            let z = (0..<n).map { logits[t, $0] }
            let top = z.max() ?? 0
            let e = z.map { Foundation.exp($0 - top) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
    }

    /// −Σ p log p in nats (0 log 0 = 0).
    static func entropy(_ p: [Double]) -> Double {
        -p.filter { $0 > 0 }.map { $0 * Foundation.log($0) }.reduce(0, +)
    }
}
