/// Which decoder layers of a model are dense MLPs rather than MoE blocks.
enum DenseRule: Sendable, Equatable {
    /// Every layer is MoE.
    case none
    /// Qwen: dense when listed in `mlp_only_layers` or when (i + 1) % `decoder_sparse_step` ≠ 0.
    case qwen(mlpOnly: Set<Int>, step: Int)
    /// DeepSeek: dense below `first_k_dense_replace` and where i % `moe_layer_freq` ≠ 0.
    case deepseek(firstDense: Int, frequency: Int)
    /// ERNIE-4.5: MoE when start ≤ i ≤ end and (i + 1) % interval = 0.
    case ernie(start: Int, end: Int, interval: Int)
    /// Llama 4: MoE exactly in `moe_layers` (by default every `interleave_moe_layer_step`th layer).
    case listed(Set<Int>)

    func reason(layer: Int) -> String? {
        switch self {
        case .none:
            return nil
        case let .qwen(mlpOnly, step):
            if mlpOnly.contains(layer) { return "it is listed in mlp_only_layers" }
            if (layer + 1) % step != 0 { return "decoder_sparse_step = \(step) makes only layers i with (i + 1) divisible by \(step) MoE" }
            return nil
        case let .deepseek(firstDense, frequency):
            if layer < firstDense { return "first_k_dense_replace = \(firstDense) makes layers below \(firstDense) dense" }
            if layer % frequency != 0 { return "moe_layer_freq = \(frequency) makes only every \(frequency)th layer MoE" }
            return nil
        case let .listed(layers):
            return layers.contains(layer) ? nil : "it is not in moe_layers (or interleave_moe_layer_step skips it)"
        case let .ernie(start, end, interval):
            if layer < start || layer > end { return "moe_layer_start_index = \(start) and moe_layer_end_index = \(end) make only layers \(start)…\(end) MoE" }
            if (layer + 1) % interval != 0 { return "moe_layer_interval = \(interval) makes only layers i with (i + 1) divisible by \(interval) MoE" }
            return nil
        }
    }
}
