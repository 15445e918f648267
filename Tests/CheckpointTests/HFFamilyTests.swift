import Foundation
import LinearAlgebra
import Testing
import TestSupport
@testable import Checkpoint
import MoE

/// Every family against transformers itself: the directories of tools/make_hf_fixtures.py
/// were written by `save_pretrained`, and their `inputs.safetensors` holds what each MoE block
/// received and returned while transformers ran the model (float32).
@Suite struct HFFamilyTests {
    /// The fixture directories, one per family (Fixtures/hf/<model_type>).
    static let families = ["deepseek_v2", "deepseek_v3", "deepseek_v3_fp8", "dots1", "ernie4_5_moe", "glm4_moe", "gpt_oss",
                           "gpt_oss_mxfp4", "granitemoe", "granitemoeshared", "hunyuan_v1_moe", "llama4", "llama4_text",
                           "minimax", "minimax_m2", "mixtral", "olmoe", "phimoe", "qwen2_moe", "qwen3_5_moe", "qwen3_5_moe_text",
                           "qwen3_moe", "qwen3_next"]

    static func directory(_ family: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/hf/\(family)").path
    }

    @Test func everyFixtureDirectoryIsListed() throws {
        let present = try FileManager.default.contentsOfDirectory(atPath: Bundle.module.resourceURL!
            .appendingPathComponent("Fixtures/hf").path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(present == Self.families)
    }

    /// The MoE layers config.json implies are exactly the blocks transformers ran, and
    /// each block's output, recomputed in Float32 from the saved weights, is within 1e-4 of
    /// transformers' (max |error| over the largest |reference| entry), with the same top-k sets.
    @Test(arguments: families)
    func everyBlockReproducesTransformers(_ family: String) throws {
        let model = try ModelLayout(directory: Self.directory(family))
        let inputs = try SafeTensorsFile(path: Self.directory(family) + "/inputs.safetensors")
        let ran = inputs.names.compactMap { name -> Int? in
            let parts = name.split(separator: ".")
            return parts.count == 3 && parts[2] == "x" ? Int(parts[1]) : nil
        }.sorted()
        #expect(model.config.moeLayers == ran, "\(family)")
        #expect(inputs.metadata["transformers"] != nil && inputs.metadata["torch"] != nil)
        let d = model.config.hiddenSize, k = model.config.topK
        for i in ran {
            let x = try inputs.floats("layers.\(i).x"), t = x.count / d
            let layer = try DAGMoELayer(parameters: model.parameters(layer: i, Float.self))
            let out = layer.forward(Matrix(rows: t, cols: d, data: x)).output
            let want = try inputs.floats("layers.\(i).moe_out")
            let got = zip(out.y.data, x).map { Double($0) - Double($1) }
            let worst = zip(got, want).map { abs($0 - Double($1)) }.max()!
            let scale = want.map { abs(Double($0)) }.max()!
            #expect(worst / scale <= 1e-4, "\(family) layer \(i): max_rel \(worst / scale)")
            let topk = try inputs.int64s("layers.\(i).topk")
            for tok in 0..<t {
                #expect(out.selection(ofToken: tok).sorted() == topk[(tok * k)..<((tok + 1) * k)].map { Int($0) },
                        "\(family) layer \(i) token \(tok)")
            }
        }
    }

    /// With L = 0 the excess R = J − I − Σ g_i J_{S_i} − J_shared is the gate term: rank at
    /// most K (K − 1 when the gates sum to one), one more with a sigmoid shared gate. A rank
    /// above that would be a mapping bug.
    @Test(arguments: families)
    func excessRankIsWeightedSum(_ family: String) throws {
        let model = try ModelLayout(directory: Self.directory(family))
        let inputs = try SafeTensorsFile(path: Self.directory(family) + "/inputs.safetensors")
        let c = model.config, d = c.hiddenSize
        let sumsToOne = c.normalizeTopK || (c.topK == c.experts && c.scores == .softmax)
        let bound = (sumsToOne ? c.topK - 1 : c.topK) + (c.sharedGate ? 1 : 0)
        for i in c.moeLayers {
            let layer = try DAGMoELayer(parameters: model.parameters(layer: i, Double.self))
            let x = try inputs.doubles("layers.\(i).x")
            for t in 0..<3 {
                let jac = layer.tokenJacobians(x: Array(x[(t * d)..<((t + 1) * d)]))
                #expect(jac.selectionStable)
                let (sv, norm) = try excessSingularValues(jac)
                let rank = sv.filter { $0 > 1e-10 * norm }.count
                #expect(rank <= bound, "\(family) layer \(i) token \(t): rank \(rank) > \(bound)")
            }
        }
    }

    /// The configuration each family maps to: the router rules read from config.json.
    @Test func routerRulesAreReadFromConfig() throws {
        func config(_ family: String) throws -> ModelMoEConfig { try ModelLayout(directory: Self.directory(family)).config }
        let v3 = try config("deepseek_v3")
        #expect(v3.scores == .sigmoid && v3.selectionBias && v3.normalizeTopK && v3.routedScale == 2.5)
        #expect(v3.groups == RouterGroups(count: 4, selected: 2, rank: .topTwoSum) && v3.moeLayers == [1, 2])
        let glm = try config("glm4_moe")
        #expect(glm.scores == .sigmoid && !glm.normalizeTopK && glm.routedScale == 1.5 && glm.groups?.count == 2)
        let dots = try config("dots1")
        #expect(dots.groups == nil && dots.sharedFF == 16 && dots.routedScale == 2)
        let m2 = try config("minimax_m2")
        #expect(m2.scores == .sigmoid && m2.selectionBias && m2.normalizeTopK && m2.sharedFF == 0)
        let ernie = try config("ernie4_5_moe")
        #expect(ernie.scores == .softmax && ernie.selectionBias && ernie.moeLayers == [1] && ernie.sharedFF == 8)
        let granite = try ModelLayout(directory: Self.directory("granitemoeshared"))
        #expect(try granite.layout(layer: 0).storage == .granite && granite.config.sharedFF == 12)
        let hunyuan = try config("hunyuan_v1_moe")
        #expect(hunyuan.expertFF == 24 && hunyuan.sharedFF == 24 && hunyuan.normalizeTopK)
        #expect(try config("qwen3_next").sharedGate && config("qwen3_5_moe_text").normalizeTopK)
        #expect(try config("phimoe").sparseMixer == 0.3)
        let oss = try config("gpt_oss")
        #expect(oss.routerBias && oss.expertBias && oss.clampedSwiGLU == ClampedSwiGLU(alpha: 1.702, limit: 0.8) && oss.normalizeTopK)
        let llama = try ModelLayout(directory: Self.directory("llama4_text"))
        #expect(llama.config.gateScalesInput && llama.config.scores == .sigmoid && !llama.config.normalizeTopK)
        #expect(llama.config.moeLayers == [1, 3])
        #expect(try llama.layout(layer: 1).storage == .transposed)
        let wrapped = try ModelLayout(directory: Self.directory("llama4"))
        #expect(wrapped.config.layerPrefix == "language_model.model.layers" && wrapped.config.family == .llama4Text)
        #expect(try wrapped.layout(layer: 3).router == "language_model.model.layers.3.feed_forward.router.weight")
        #expect(try config("qwen3_5_moe").layerPrefix == "model.language_model.layers")
        // Every extension survives the spec's metadata.
        for family in Self.families {
            let spec = try config(family).layerConfig()
            #expect(try LayerConfig(metadata: spec.metadata) == spec, "\(family)")
        }
    }

    /// The FP8 fixture's experts are F8_E4M3 with block scales: the loader dequantizes them
    /// (the reproduction above is against transformers' own dequantizer); a wrong block size or
    /// another quantization method is refused naming the tensor or key and the format.
    @Test func fp8WeightsAreDequantizedBlockByBlock() throws {
        let model = try ModelLayout(directory: Self.directory("deepseek_v3_fp8"))
        #expect(model.config.fp8Block == [4, 8])
        let name = "model.layers.1.mlp.experts.3.gate_proj.weight"
        #expect(try model.tensorInfo(name).info.dtype == .f8e4m3)
        let file = try SafeTensorsFile(path: Self.directory("deepseek_v3_fp8") + "/model.safetensors")
        let q = try file.doubles(name), s = try file.doubles(name + "_scale_inv")   // [8, 16], [2, 2]
        let w: Parameters<Double> = try model.parameters(layer: 1)
        let want = q.indices.map { q[$0] * s[($0 / 16) / 4 * 2 + ($0 % 16) / 8] }
        #expect(w["experts.3.w1.weight"].data == want)

        let wrongBlock = try ModelFixtures.copy("deepseek_v2") { url in
            try FileManager.default.removeItem(at: url)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: Self.directory("deepseek_v3_fp8")), to: url)
            try ModelFixtures.editConfig(url) { $0.replacingOccurrences(of: "\"weight_block_size\": [\n      4,", with: "\"weight_block_size\": [\n      8,") }
        }
        #expect(try ModelLayout(directory: wrongBlock).config.fp8Block == [8, 8])
        do {
            let _: Parameters<Double> = try ModelLayout(directory: wrongBlock).parameters(layer: 1)
            Issue.record("a wrong block size loaded")
        } catch {
            #expect(error.description.contains("F8_E4M3") && error.description.contains("_scale_inv"), "\(error)")
        }
        let awq = try ModelFixtures.copy("deepseek_v2") { url in
            try FileManager.default.removeItem(at: url)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: Self.directory("deepseek_v3_fp8")), to: url)
            try ModelFixtures.editConfig(url) { $0.replacingOccurrences(of: "\"quant_method\": \"fp8\"", with: "\"quant_method\": \"awq\"") }
        }
        do {
            _ = try ModelLayout(directory: awq)
            Issue.record("awq read")
        } catch {
            #expect(error.description.contains("quantization_config.quant_method") && error.description.contains("awq"), "\(error)")
        }
    }

    /// MXFP4: two e2m1 codes per byte, even position in the low nibble, times 2^(s − 127).
    @Test func mxfp4DecodesNibblesAndScales() throws {
        // Row 0: bytes 0x21 (codes 1, 2: 0.5, 1), 0xF7 (codes 7, 15: 6, −6), rest 0; scale 2^(128 − 127) = 2.
        var blocks = [UInt8](repeating: 0, count: 32)
        blocks[0] = 0x21
        blocks[1] = 0xF7
        blocks[16] = 0x9A   // row 1: codes 10, 9: −1, −0.5
        let rows = MXFP4Rows(scales: "s", scaleElements: 0..<2, cols: 32, first: 0, count: 2, step: 1)
        let (v, overflow) = rows.decode(blocks: blocks, scales: [128, 125], as: Double.self)
        #expect(Array(v[0..<4]) == [1, 2, 12, -12] && v[4..<32].allSatisfy { $0 == 0 })
        #expect(Array(v[32..<34]) == [-0.25, -0.125] && overflow == nil)
        // Decoded straight into Float, times a factor 2: row 1's −1 · 2^(255 − 127) · 2 overflows Float at index 32.
        let (f, fOverflow) = rows.decode(blocks: blocks, scales: [128, 255], factor: 2, as: Float.self)
        #expect(Array(f[0..<4]) == [2, 4, 24, -24] && fOverflow?.0 == 32 && fOverflow?.1 == -0x1p128)
        let model = try ModelLayout(directory: Self.directory("gpt_oss_mxfp4"))
        #expect(try model.layout(layer: 1).storage == .mxfp4)
    }

    /// Kimi-K2 ships DeepSeek-V3 under its own model_type.
    @Test func kimiK2ReadsAsDeepSeekV3() throws {
        let dir = try ModelFixtures.copy("deepseek_v2") { url in
            try FileManager.default.removeItem(at: url)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: Self.directory("deepseek_v3")), to: url)
            try ModelFixtures.editConfig(url) { $0.replacingOccurrences(of: "\"deepseek_v3\"", with: "\"kimi_k2\"") }
        }
        let config = try ModelLayout(directory: dir).config
        #expect(config.family == .deepseekV3 && config.scores == .sigmoid)
    }

    /// A multimodal wrapper without its text_config is refused naming the key; an unknown
    /// model_type lists the supported ones; PhiMoE's sparse mixer needs K = 2.
    @Test func unreadableConfigsSayWhy() throws {
        for (type, word) in [("llama4", "text_config"), ("not_a_model", "supported: dagmoe_lm, deepseek, deepseek_v2, deepseek_v3, dots1")] {
            let dir = try ModelFixtures.copy("mixtral") { url in
                try ModelFixtures.editConfig(url) { $0.replacingOccurrences(of: "\"mixtral\"", with: "\"\(type)\"") }
            }
            do {
                _ = try ModelLayout(directory: dir)
                Issue.record("\(type) read")
            } catch {
                #expect(error.description.contains(word) && error.description.contains(type), "\(error)")
            }
        }
        let phi3 = try ModelFixtures.copy("mixtral") { url in
            try FileManager.default.removeItem(at: url)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: Self.directory("phimoe")), to: url)
            try ModelFixtures.editConfig(url) { $0.replacingOccurrences(of: "\"num_experts_per_tok\": 2", with: "\"num_experts_per_tok\": 3") }
        }
        #expect(throws: ModelLayoutError.self) { try ModelLayout(directory: phi3) }
    }
}
