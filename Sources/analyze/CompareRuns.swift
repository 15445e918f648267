import MoE

/// The models `analyze compare` fits, at matched parameter count where the paper matches them.
enum CompareModels {
    /// ws (plain), ws + a shared expert with as many parameters as the L = 2 DAG module,
    /// DAG-MoE with L = 1 and L = 2, and a chain of C iterations.
    static func specs(_ flags: TrainFlags, chainIterations: Int) -> [ModelSpec] {
        let dag2 = flags.config(depth: 2)
        let shared = ModelSpec.sharedWidth(matching: ModelSpec.dagParameterCount(dag2), dModel: flags.d)
        return [
            ModelSpec(name: "ws", aggregator: .ws, config: flags.config(depth: 0), iterations: 1),
            ModelSpec(name: "ws+shared", aggregator: .ws, config: flags.config(depth: 0, sharedDFF: shared), iterations: 1),
            ModelSpec(name: "dag L=1", aggregator: .dag, config: flags.config(depth: 1), iterations: 1),
            ModelSpec(name: "dag L=2", aggregator: .dag, config: dag2, iterations: 1),
            ModelSpec(name: "chain C=\(chainIterations)", aggregator: .chain, config: flags.config(depth: 0),
                      iterations: chainIterations),
        ]
    }
}

/// One model's runs over the seeds.
struct CompareRow: Sendable {
    let spec: ModelSpec
    let results: [TrainingResult]

    var finalLosses: [Double] { results.map(\.finalHeldOutLoss) }
    var mean: Double { CompareRow.mean(finalLosses) }
    /// Sample standard deviation (n − 1); 0 for one seed.
    var std: Double {
        let xs = finalLosses, m = mean
        guard xs.count > 1 else { return 0 }
        return (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot()
    }
    var stepsPerSecond: Double { CompareRow.mean(results.map(\.stepsPerSecond)) }
    /// The held-out loss at each evaluated step, averaged over seeds.
    var meanCurve: [(step: Int, loss: Double)] {
        guard let first = results.first else { return [] }
        return first.points.indices.compactMap { i in
            let values = results.compactMap { $0.points.indices.contains(i) ? $0.points[i].heldOutLoss : nil }
            guard values.count == results.count else { return nil }
            return (first.points[i].step, CompareRow.mean(values))
        }
    }

    static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }
}
