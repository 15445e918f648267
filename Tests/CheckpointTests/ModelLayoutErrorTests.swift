import Foundation
import Testing
@testable import Checkpoint
import MoE

/// Broken model directories: every problem is a `ModelLayoutError` whose message names
/// the key, layer or tensor and lists what was found.
@Suite struct ModelLayoutErrorTests {
    /// The error opening `dir` (and reading `layer`, when given), or nil.
    func error(_ dir: String, layer: Int? = nil) -> ModelLayoutError? {
        do {
            let model = try ModelLayout(directory: dir)
            if let layer { let _: Parameters<Double> = try model.parameters(layer: layer) }
            return nil
        } catch {
            return error
        }
    }

    @Test func unknownModelTypeListsTheSupportedOnes() throws {
        let dir = try ModelFixtures.copy("qwen2_moe") { url in
            try ModelFixtures.editConfig(url) { $0.replacingOccurrences(of: "\"qwen2_moe\"", with: "\"llama\"") }
        }
        let e = try #require(error(dir))
        #expect(e.description.contains("model_type 'llama' is not a supported MoE layout"))
        #expect(e.description.contains("supported: dagmoe_lm, deepseek, deepseek_v2, deepseek_v3, dots1, ernie4_5_moe, glm4_moe"))

        // The multimodal wrapper is refused saying what is missing.
        let llama4 = try ModelFixtures.copy("mixtral") { url in
            try ModelFixtures.editConfig(url) { $0.replacingOccurrences(of: "\"mixtral\"", with: "\"llama4\"") }
        }
        #expect(error(llama4)?.description.contains("text_config") == true)

        let none = try ModelFixtures.copy("olmoe") { url in
            try ModelFixtures.editConfig(url) { $0.replacingOccurrences(of: "\"model_type\": \"olmoe\",", with: "") }
        }
        let e2 = try #require(error(none))
        #expect(e2.description.contains("no model_type key") && e2.description.contains("num_experts_per_tok"))
    }

    @Test func missingKeyListsTheKeysFound() throws {
        let dir = try ModelFixtures.copy("qwen2_moe") { url in
            try ModelFixtures.editConfig(url) { text in
                text.split(separator: "\n").filter { !$0.contains("\"shared_expert_intermediate_size\"") }.joined(separator: "\n")
            }
        }
        guard case let .missingConfigKey(_, key, modelType, found)? = error(dir) else {
            Issue.record("expected missingConfigKey, got \(String(describing: error(dir)))")
            return
        }
        #expect(key == "shared_expert_intermediate_size" && modelType == "qwen2_moe")
        #expect(found.contains("num_experts") && found.contains("hidden_size") && !found.contains(key))
    }

    @Test func malformedAndUnsupportedSettingsNameTheKey() throws {
        let cases: [(String, String, String, String)] = [
            ("qwen2_moe", "\"norm_topk_prob\": false", "\"norm_topk_prob\": 0", "norm_topk_prob"),
            ("olmoe", "\"num_experts_per_tok\": 2", "\"num_experts_per_tok\": 9", "num_experts_per_tok"),
            ("mixtral", "\"hidden_size\": 16", "\"hidden_size\": 16.5", "hidden_size"),
            ("mixtral", "\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\"", "hidden_act"),
            ("deepseek_v2", "\"group_limited_greedy\"", "\"noaux_tc\"", "topk_method"),
            ("deepseek_v2", "\"n_group\": 4", "\"n_group\": 3", "n_group"),
            ("deepseek_moe", "\"scoring_func\": \"softmax\"", "\"scoring_func\": \"sigmoid\"", "scoring_func"),
        ]
        for (name, old, new, key) in cases {
            let dir = try ModelFixtures.copy(name) { url in
                try ModelFixtures.editConfig(url) { text in
                    precondition(text.contains(old), "\(name) config lacks \(old)")
                    return text.replacingOccurrences(of: old, with: new)
                }
            }
            let message = error(dir)?.description ?? "no error"
            #expect(message.contains(key), "\(name) \(new): \(message)")
        }
    }

    @Test func denseAndOutOfRangeLayers() throws {
        #expect(error(ModelFixtures.directory("deepseek_moe"), layer: 0)
            == .notMoELayer(layer: 0, reason: "first_k_dense_replace = 1 makes layers below 1 dense", moeLayers: [1]))
        #expect(error(ModelFixtures.directory("mixtral"), layer: 2) == .layerOutOfRange(layer: 2, layers: 2))
        let dir = try ModelFixtures.copy("qwen3_moe") { url in
            try ModelFixtures.editConfig(url) { $0.replacingOccurrences(of: "\"mlp_only_layers\": []", with: "\"mlp_only_layers\": [1]") }
        }
        #expect(error(dir, layer: 1)?.description == "layer 1 is not an MoE layer: it is listed in mlp_only_layers; MoE layers: 0")
    }

    @Test func missingTensorListsTheLayersTensors() throws {
        let gone = "model.layers.1.block_sparse_moe.experts.3.w2.weight"
        let dir = try ModelFixtures.copy("mixtral") { url in
            let index = url.appendingPathComponent("model.safetensors.index.json")
            let text = try String(contentsOf: index, encoding: .utf8)
            try text.split(separator: "\n").filter { !$0.contains(gone) }.joined(separator: "\n")
                .write(to: index, atomically: true, encoding: .utf8)
        }
        #expect(error(dir, layer: 0) == nil)
        guard case let .missingTensor(name, layer, found)? = error(dir, layer: 1) else {
            Issue.record("expected missingTensor")
            return
        }
        #expect(name == gone && layer == 1 && found.contains("model.layers.1.block_sparse_moe.gate.weight"))
    }

    @Test func wrongShapesAndBadIndexes() throws {
        let shape = try ModelFixtures.copy("qwen2_moe") { url in
            try ModelFixtures.editConfig(url) { $0.replacingOccurrences(of: "\"moe_intermediate_size\": 8", with: "\"moe_intermediate_size\": 9") }
        }
        #expect(error(shape, layer: 0) == .wrongShape(tensor: "model.layers.0.mlp.experts.0.gate_proj.weight", shape: [8, 16], expected: [9, 16]))

        let escape = try ModelFixtures.copy("mixtral") { url in
            let index = url.appendingPathComponent("model.safetensors.index.json")
            let text = try String(contentsOf: index, encoding: .utf8)
            try text.replacingOccurrences(of: "\"model-00002-of-00002.safetensors\"", with: "\"../model-00002-of-00002.safetensors\"")
                .write(to: index, atomically: true, encoding: .utf8)
        }
        #expect(error(escape)?.description.contains("not a file in the directory") == true)

        let lying = try ModelFixtures.copy("mixtral") { url in
            let index = url.appendingPathComponent("model.safetensors.index.json")
            let text = try String(contentsOf: index, encoding: .utf8)
            try text.replacingOccurrences(of: "\"model.layers.0.block_sparse_moe.gate.weight\": \"model-00001-of-00002.safetensors\"",
                                          with: "\"model.layers.0.block_sparse_moe.gate.weight\": \"model-00002-of-00002.safetensors\"")
                .write(to: index, atomically: true, encoding: .utf8)
        }
        #expect(error(lying, layer: 0) == .indexMismatch(tensor: "model.layers.0.block_sparse_moe.gate.weight",
                                                         shard: "model-00002-of-00002.safetensors"))

        let empty = try ModelFixtures.copy("olmoe") { url in
            try FileManager.default.removeItem(at: url.appendingPathComponent("model.safetensors"))
        }
        #expect(error(empty) == .noWeights(directory: empty, found: ["config.json", "reference.safetensors"]))
        #expect(error("/nonexistent/model")?.description.contains("cannot read /nonexistent/model/config.json") == true)

        let notJSON = try ModelFixtures.copy("olmoe") { url in try ModelFixtures.editConfig(url) { "{" + $0 } }
        #expect(error(notJSON)?.description.contains("not valid JSON at byte offset") == true)
    }
}
