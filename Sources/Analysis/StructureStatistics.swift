import Foundation
import LinearAlgebra
import MoE

/// Statistics of the learned DAGs and of the routing over a batch of tokens, read from
/// one forward pass (its output and the router's probabilities in its cache).
///
/// A token's DAG is its L thresholded K×K edge-gate matrices (e_ij > 0.5, self-edges
/// included), so 2^(L·K²) patterns are possible; with L = 0 there is one, the empty one.
public struct StructureStatistics: Sendable {
    public struct Round: Sendable {
        /// Counts of edge gates in [0, 0.1), [0.1, 0.2), …, [0.9, 1].
        public let histogram: [Int]
        public let mean: Double
        /// Fraction of edge gates above 0.5.
        public let fractionAbove: Double
        /// Distinct thresholded K×K matrices of this round across tokens.
        public let distinctPatterns: Int
    }

    public static let bins = 10
    public let tokens: Int
    public let rounds: [Round]
    /// Distinct whole-token patterns (all rounds together) across tokens.
    public let distinctPatterns: Int
    /// log2 of the number of possible patterns, L·K² (nil if that overflows Int).
    public let possiblePatternsLog2: Int?
    /// The routing statistics of the same tokens.
    public let routing: RoutingStatistics

    /// The statistics of `output`, a forward pass of a layer with `config`, whose router
    /// gave `probabilities` ([T, N], `LayerCache.routerProbabilities`).
    public init(config: LayerConfig, output: LayerOutput<Double>, probabilities: Matrix<Double>) {
        let k = config.topK, t = output.y.rows
        tokens = t
        routing = RoutingStatistics(experts: config.nExperts, topk: output.topk, probabilities: probabilities)
        var tokenPatterns = [[Bool]](repeating: [], count: t)
        rounds = output.edgeGates.map { gates in
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
        distinctPatterns = Set(tokenPatterns).count
        let (kk, o1) = k.multipliedReportingOverflow(by: k)
        let (e, o2) = config.dagLayers.multipliedReportingOverflow(by: kk)
        possiblePatternsLog2 = o1 || o2 ? nil : e
    }

    /// The statistics of an L = 0 block on T tokens from its routing alone: the selections
    /// `topk` ([T, K]) and the router's `probabilities` ([T, N]); one (empty) DAG pattern.
    public init(config: LayerConfig, topk: [Int], probabilities: Matrix<Double>) {
        precondition(config.dagLayers == 0, "StructureStatistics: routing alone describes an L = 0 block")
        tokens = probabilities.rows
        routing = RoutingStatistics(experts: config.nExperts, topk: topk, probabilities: probabilities)
        rounds = []
        distinctPatterns = tokens > 0 ? 1 : 0
        possiblePatternsLog2 = 0
    }
}

/// How a batch of tokens was routed: the load on each expert and the entropies of the
/// router's distributions.
public struct RoutingStatistics: Sendable {
    /// Per expert, the fraction of the T·K (token, slot) pairs routed to it.
    public let utilization: [Double]
    /// Mean over tokens of the entropy of p (nats); at most log N. Sigmoid scores (extension
    /// `router_scores`) are normalised to sum to one first.
    public let routingEntropy: Double
    /// Entropy of `utilization` (nats); log N when the load is perfectly balanced.
    public let utilizationEntropy: Double
    /// log N, the most either entropy can be.
    public let maxEntropy: Double

    /// From the selections `topk` ([T, K] row-major) and the router's `probabilities` ([T, N]).
    public init(experts n: Int, topk: [Int], probabilities: Matrix<Double>) {
        var counts = [Int](repeating: 0, count: n)
        for e in topk { counts[e] += 1 }
        utilization = counts.map { Double($0) / Double(max(topk.count, 1)) }
        utilizationEntropy = RoutingStatistics.entropy(utilization)
        let t = probabilities.rows
        routingEntropy = (0..<t).map { row in
            let p = Array(probabilities.data[(row * n)..<((row + 1) * n)]), sum = p.reduce(0, +)
            return RoutingStatistics.entropy(sum > 0 ? p.map { $0 / sum } : p)
        }.reduce(0, +) / Double(max(t, 1))
        maxEntropy = Foundation.log(Double(n))
    }

    /// −Σ p log p in nats (0 log 0 = 0).
    public static func entropy(_ p: [Double]) -> Double {
        -p.filter { $0 > 0 }.map { $0 * Foundation.log($0) }.reduce(0, +)
    }
}
