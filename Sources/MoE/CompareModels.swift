/// The models `analyze compare` fits, with the baseline matched to the DAG module in
/// parameters or in compute.
public enum CompareModels {
    /// What the shared expert of `ws+shared` is matched to.
    public enum Matching: String, Sendable, CaseIterable {
        /// As many weights as the L = 2 DAG module.
        case params
        /// As many FLOPs per token as the L = 2 DAG module.
        case flops
    }

    /// ws (plain), ws + a shared expert matched to the L = 2 DAG module (`matching`), DAG-MoE
    /// with L = 1 and L = 2 (edge scorer `edgeScorer`), and a chain of C iterations, all built on
    /// `base` (its own rounds, shared expert and extensions are replaced).
    public static func specs(base: LayerConfig, chainIterations: Int, edgeScorer: LayerExtensions.EdgeScorer = .additive,
                             matching: Matching = .params) -> [ModelSpec] {
        func config(depth: Int, sharedDFF: Int = 0) -> LayerConfig {
            var c = base
            c.dagLayers = depth
            c.sharedDFF = sharedDFF
            c.extensions = LayerExtensions(edgeScorer: depth > 0 ? edgeScorer : .additive)
            return c
        }
        let dag2 = config(depth: 2)
        let shared = switch matching {
        case .params: ModelSpec.sharedWidth(matching: ModelSpec.dagParameterCount(dag2), dModel: base.dModel)
        case .flops: ModelSpec.sharedWidth(matching: ModelSpec.dagMACsPerToken(dag2), dModel: base.dModel)
        }
        return [
            ModelSpec(name: "ws", aggregator: .ws, config: config(depth: 0), iterations: 1),
            ModelSpec(name: "ws+shared", aggregator: .ws, config: config(depth: 0, sharedDFF: shared), iterations: 1),
            ModelSpec(name: "dag L=1", aggregator: .dag, config: config(depth: 1), iterations: 1),
            ModelSpec(name: "dag L=2", aggregator: .dag, config: dag2, iterations: 1),
            ModelSpec(name: "chain C=\(chainIterations)", aggregator: .chain, config: config(depth: 0),
                      iterations: chainIterations),
        ]
    }

    /// The index of `ws+shared` in ``specs(base:chainIterations:edgeScorer:matching:)``: the matched baseline.
    public static let matchedBaseline = 1
    /// The index of `dag L=2`, the model the baseline is matched to.
    public static let matchedDAG = 3
}

/// One model's runs over the seeds.
public struct CompareRow: Sendable {
    public let spec: ModelSpec
    public let results: [TrainingResult]

    public init(spec: ModelSpec, results: [TrainingResult]) {
        self.spec = spec
        self.results = results
    }

    public var finalLosses: [Double] { results.map(\.finalHeldOutLoss) }
    public var mean: Double { CompareRow.mean(finalLosses) }
    /// Sample standard deviation (n − 1); 0 for one seed.
    public var std: Double {
        let xs = finalLosses, m = mean
        guard xs.count > 1 else { return 0 }
        return (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot()
    }
    public var stepsPerSecond: Double { CompareRow.mean(results.map(\.stepsPerSecond)) }
    /// The held-out loss at each evaluated step, averaged over seeds.
    public var meanCurve: [(step: Int, loss: Double)] {
        guard let first = results.first else { return [] }
        return first.points.indices.compactMap { i in
            let values = results.compactMap { $0.points.indices.contains(i) ? $0.points[i].heldOutLoss : nil }
            guard values.count == results.count else { return nil }
            return (first.points[i].step, CompareRow.mean(values))
        }
    }

    public static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }
}
