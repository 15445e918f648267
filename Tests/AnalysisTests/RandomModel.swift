import Checkpoint
import Foundation
import LinearAlgebra

/// A random one-layer MoE model in a hub layout, written to a temporary directory.
enum RandomModel {
    enum Kind: String, CustomStringConvertible, CaseIterable {
        /// softmax then top-K renormalised (topk_softmax), no shared expert.
        case mixtral
        /// softmax_topk, shared expert with a sigmoid gate.
        case qwen2
        /// softmax_topk with router groups, a shared expert and the routed scaling factor.
        case deepseekV2
        var description: String { rawValue }
    }

    /// Writes config.json and model.safetensors (F32; BF16 for Mixtral) with N(0, 1/d) weights.
    static func write(_ kind: Kind, d: Int, dFF: Int, seed: UInt64) throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("analyze-random-\(kind)-\(d)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var rng = SeededRandom(seed: seed)
        var writer = SafeTensorsWriter()
        let dtype: SafeTensorsWriter.FloatDType = kind == .mixtral ? .bf16 : .f32
        func add(_ name: String, _ rows: Int, _ cols: Int) throws {
            let values = (0..<(rows * cols)).map { _ in rng.nextNormal() / Double(cols).squareRoot() }
            try writer.add(name, shape: [rows, cols], doubles: values, as: dtype)
        }
        let n = 8, prefix = kind == .mixtral ? "model.layers.0.block_sparse_moe" : "model.layers.0.mlp"
        try add("\(prefix).gate.weight", n, d)
        for e in 0..<n {
            if kind == .mixtral {
                try add("\(prefix).experts.\(e).w1.weight", dFF, d)
                try add("\(prefix).experts.\(e).w2.weight", d, dFF)
                try add("\(prefix).experts.\(e).w3.weight", dFF, d)
            } else {
                try add("\(prefix).experts.\(e).gate_proj.weight", dFF, d)
                try add("\(prefix).experts.\(e).down_proj.weight", d, dFF)
                try add("\(prefix).experts.\(e).up_proj.weight", dFF, d)
            }
        }
        var config: [String: Any] = ["hidden_size": d, "num_hidden_layers": 1, "num_experts_per_tok": 2,
                                     "hidden_act": "silu", "rms_norm_eps": 1e-6]
        switch kind {
        case .mixtral:
            config.merge(["model_type": "mixtral", "num_local_experts": n, "intermediate_size": dFF]) { $1 }
        case .qwen2:
            let shared = "\(prefix).shared_expert"
            try add("\(shared).gate_proj.weight", dFF, d)
            try add("\(shared).down_proj.weight", d, dFF)
            try add("\(shared).up_proj.weight", dFF, d)
            try add("\(prefix).shared_expert_gate.weight", 1, d)
            config.merge(["model_type": "qwen2_moe", "num_experts": n, "moe_intermediate_size": dFF,
                          "shared_expert_intermediate_size": dFF, "norm_topk_prob": false]) { $1 }
        case .deepseekV2:
            let shared = "\(prefix).shared_experts"
            try add("\(shared).gate_proj.weight", dFF, d)
            try add("\(shared).down_proj.weight", d, dFF)
            try add("\(shared).up_proj.weight", dFF, d)
            config.merge(["model_type": "deepseek_v2", "n_routed_experts": n, "moe_intermediate_size": dFF,
                          "n_shared_experts": 1, "norm_topk_prob": false, "topk_method": "group_limited_greedy",
                          "n_group": 4, "topk_group": 2, "routed_scaling_factor": 2.5, "scoring_func": "softmax",
                          "first_k_dense_replace": 0, "moe_layer_freq": 1]) { $1 }
        }
        try writer.write(to: directory + "/model.safetensors")
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: directory + "/config.json"))
        return directory
    }
}
