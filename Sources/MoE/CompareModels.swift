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

    /// ws (plain), ws + a shared expert matched to the deepest DAG model (`matching`), DAG-MoE
    /// with L = each of `depths` (edge scorer `edgeScorer`), and a chain of C iterations, all
    /// built on `base` (its own rounds, shared expert and extensions are replaced).
    public static func specs(base: LayerConfig, chainIterations: Int, edgeScorer: LayerExtensions.EdgeScorer = .additive,
                             matching: Matching = .params, depths: [Int] = [1, 2]) -> [ModelSpec] {
        func config(depth: Int, sharedDFF: Int = 0) -> LayerConfig {
            var c = base
            c.dagLayers = depth
            c.sharedDFF = sharedDFF
            c.extensions = LayerExtensions(edgeScorer: depth > 0 ? edgeScorer : .additive)
            return c
        }
        let deepest = config(depth: depths.max() ?? 2)
        let shared = switch matching {
        case .params: ModelSpec.sharedWidth(matching: ModelSpec.dagParameterCount(deepest), dModel: base.dModel)
        case .flops: ModelSpec.sharedWidth(matching: ModelSpec.dagMACsPerToken(deepest), dModel: base.dModel)
        }
        return [
            ModelSpec(name: "ws", aggregator: .ws, config: config(depth: 0), iterations: 1),
            ModelSpec(name: "ws+shared", aggregator: .ws, config: config(depth: 0, sharedDFF: shared), iterations: 1),
        ] + depths.map { ModelSpec(name: "dag L=\($0)", aggregator: .dag, config: config(depth: $0), iterations: 1) } + [
            ModelSpec(name: "chain C=\(chainIterations)", aggregator: .chain, config: config(depth: 0),
                      iterations: chainIterations),
        ]
    }

    /// The indices in `specs` of the deepest DAG model and of `ws+shared`, the baseline matched to it.
    public static func matchedPair(_ specs: [ModelSpec]) -> (dag: Int, baseline: Int)? {
        let dags = specs.indices.filter { specs[$0].aggregator == .dag }
        guard let dag = dags.max(by: { specs[$0].config.dagLayers < specs[$1].config.dagLayers }),
              let baseline = specs.firstIndex(where: { $0.aggregator == .ws && $0.config.sharedDFF > 0 }) else { return nil }
        return (dag, baseline)
    }
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
    /// The held-out loss of every seed at each evaluated step (steps every seed reached).
    public var seedCurves: [(step: Int, losses: [Double])] {
        guard let first = results.first else { return [] }
        return first.points.indices.compactMap { i in
            let values = results.compactMap { $0.points.indices.contains(i) ? $0.points[i].heldOutLoss : nil }
            guard values.count == results.count else { return nil }
            return (first.points[i].step, values)
        }
    }

    public static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }
}
