import LinearAlgebra
import MoE

/// Saving a trained model in the spec's safetensors layout.
public enum TrainedCheckpoint {
    /// Tokens of the held-out batch stored as ref.* tensors.
    public static let referenceTokens = 8

    /// Metadata beyond the spec's keys: how the model was trained and how it did.
    /// `task`, `task_functions`, `task_seed` and `heldout_tokens` rebuild the held-out batch
    /// exactly (``heldOutTask(metadata:dModel:)``).
    public static func metadata(task: SyntheticTask, spec: ModelSpec, seed: UInt64, batchTokens: Int,
                                learningRate: Double, heldOutTokens: Int, result: TrainingResult) -> [String: String] {
        [
            "task": task.kind.rawValue, "task_functions": String(task.functionCount), "task_seed": String(task.seed),
            "heldout_tokens": String(heldOutTokens),
            "aggregator": spec.aggregator.rawValue, "chain_iterations": String(spec.iterations),
            "seed": String(seed), "steps": String(result.stepsDone), "batch_tokens": String(batchTokens),
            "learning_rate": String(learningRate), "final_heldout_loss": String(result.finalHeldOutLoss),
            "heldout_target_variance": String(result.heldOutVariance), "trainer": "analyze train",
        ]
    }

    /// A writer holding `model`. A layer carries ref.* tensors computed in Float64 from its
    /// weights on the first held-out tokens, with a seeded upstream gradient; a chain
    /// stores iteration 0 under the spec names and router c under `chain.{c}.router.weight`.
    public static func writer(_ model: FittedModel, task: SyntheticTask,
                              metadata: [String: String]) throws(CheckpointError) -> SafeTensorsWriter {
        switch model {
        case .layer(let layer):
            let parameters = layer.parameters.converted(to: Double.self)
            let reference = try self.reference(parameters, x: task.heldOut(tokens: referenceTokens).x)
            return try LayerCheckpoint.writer(parameters, reference: reference, extraMetadata: metadata)
        case .chain(let chain):
            let first = Parameters(config: chain.config,
                                   tensors: chain.weights.filter { !$0.key.hasPrefix("chain.") })
            var writer = try LayerCheckpoint.writer(first, extraMetadata: metadata)
            for c in 1..<chain.iterations {
                let name = ChainLayer<Float>.routerName(c)
                try writer.add(name, shape: chain.weights[name]!.shape, floats: chain.weights[name]!.data)
            }
            return writer
        }
    }

    /// The spec's reference tensors for `parameters` on inputs x (Float64).
    public static func reference(_ parameters: Parameters<Double>, x: Matrix<Double>) throws(CheckpointError)
        -> LayerReference<Double> {
        let layer: DAGMoELayer<Double>
        do { layer = try DAGMoELayer(parameters: parameters) } catch {
            throw .invalidMetadata(key: "config", reason: "\(error)")
        }
        let (out, cache) = layer.forward(x)
        var rng = SeededRandom(seed: 2024)
        let g = Matrix<Double>(rows: x.rows, cols: x.cols, data: x.data.map { _ in rng.nextNormal() })
        let (gradX, grads) = layer.backward(cache, gradY: g)
        let t = x.rows, d = x.cols, k = parameters.config.topK
        var edges: [Int: Tensor<Double>] = [:]
        for (l, e) in out.edgeGates.enumerated() { edges[l] = e }
        return LayerReference(
            x: Tensor(shape: [t, d], data: x.data), y: Tensor(shape: [t, d], data: out.y.data),
            topk: out.topk.map(Int64.init), gates: Tensor(shape: [t, k], data: out.gates.data), edgeGates: edges,
            lbLoss: out.loadBalanceLoss, zLoss: out.zLoss, gradY: Tensor(shape: [t, d], data: g.data),
            gradX: Tensor(shape: [t, d], data: gradX.data), grad: grads.tensors)
    }

    /// Held-out tokens assumed for a file written before `heldout_tokens` was stored.
    public static let defaultHeldOutTokens = 1024

    /// The task a file of `analyze train` was trained on and the size of its held-out batch,
    /// from its metadata (`task`, `task_functions`, `task_seed`, `heldout_tokens`); nil when the
    /// file names no task. Throws for a key whose value is not usable.
    public static func heldOutTask(metadata: [String: String], dModel: Int) throws(CheckpointError)
        -> (task: SyntheticTask, tokens: Int)? {
        guard let name = metadata["task"] else { return nil }
        guard let kind = SyntheticTask.Kind(rawValue: name) else {
            throw .malformedMetadata(key: "task", value: name, expected: SyntheticTask.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        func integer<T: FixedWidthInteger>(_ key: String, _ fallback: T?) throws(CheckpointError) -> T {
            guard let text = metadata[key] else {
                if let fallback { return fallback }
                throw .malformedMetadata(key: key, value: "(absent)", expected: "an integer")
            }
            guard let value = T(text), value >= 0 else { throw .malformedMetadata(key: key, value: text, expected: "an integer ≥ 0") }
            return value
        }
        let functions: Int = try integer("task_functions", nil)
        let seed: UInt64 = try integer("task_seed", nil)
        let tokens: Int = try integer("heldout_tokens", defaultHeldOutTokens)
        guard tokens >= 1 else { throw .malformedMetadata(key: "heldout_tokens", value: "0", expected: "at least 1") }
        do {
            return (try SyntheticTask(kind: kind, dModel: dModel, functions: functions, seed: seed), tokens)
        } catch {
            throw .malformedMetadata(key: "task_functions", value: String(functions), expected: "a task that fits d = \(dModel): \(error)")
        }
    }
}
