import Foundation
import Testing

/// `analyze convert`: a model layer written in the spec's layout, read back by the
/// toolkit's own crosscheck and checked tensor by tensor against the model's files.
@Suite struct ConvertCommandTests {
    func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("convert-\(UUID().uuidString)-\(name)").path
    }

    /// The header's `__metadata__` of a safetensors file.
    func metadata(_ path: String) throws -> [String: String] {
        try #require(CrosscheckFixtures.read(path).header["__metadata__"] as? [String: String])
    }

    @Test func deepSeekLayerCarriesGroupsAndTheScalingFactor() throws {
        let dir = ModelCommandFixtures.path("deepseek_v2"), out = scratch("v2.safetensors")
        let r = try runAnalyze(["convert", "--model", dir, "--layer", "1", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("extensions: router_groups, router_topk_groups"))
        #expect(r.stdout.contains("routed_scaling_factor 2.5 is folded into every experts.*.w2.weight"))
        let meta = try metadata(out)
        #expect(meta["router_groups"] == "4" && meta["router_topk_groups"] == "2" && meta["router"] == "softmax_topk")
        #expect(meta["source_layer"] == "1" && meta["source_model_type"] == "deepseek_v2" && meta["dag_layers"] == "0")
        #expect(meta["shared_d_ff"] == "8" && meta["n_experts"] == "8" && meta["top_k"] == "3" && meta["d_ff"] == "8")

        let source = dir + "/model.safetensors"
        let down = try CrosscheckFixtures.floats(source, "model.layers.1.mlp.experts.5.down_proj.weight")
        #expect(try CrosscheckFixtures.floats(out, "experts.5.w2.weight") == down.map { Float(Double($0) * 2.5) })
        #expect(try CrosscheckFixtures.floats(out, "experts.5.w1.weight")
            == CrosscheckFixtures.floats(source, "model.layers.1.mlp.experts.5.gate_proj.weight"))
        #expect(try CrosscheckFixtures.floats(out, "shared.w3.weight")
            == CrosscheckFixtures.floats(source, "model.layers.1.mlp.shared_experts.up_proj.weight"))

        let check = try runAnalyze(["crosscheck", out, "--tokens", "16", "--jacobian-tokens", "2", "--format", "json"])
        let jac = try #require(try ModelCommandFixtures.json(check.stdout)["jacobian"] as? [String: Any])
        #expect(check.status == 0 && jac["verdict"] as? String == "weighted-sum" && jac["excess_ranks"] as? [Int] == [3, 3])
    }

    /// A fresh DAG module on top of Qwen2-MoE's experts: up = 0, so the layer is still a
    /// weighted sum (excess rank K + 1 with the shared gate), and the gate is carried.
    @Test func dagModuleOnTopKeepsTheModelsLayer() throws {
        let out = scratch("qwen2-dag.safetensors")
        let r = try runAnalyze(["convert", "--model", ModelCommandFixtures.path("qwen2_moe"), "--layer", "0", "-o", out,
                                "--dag-layers", "2", "--d-g", "4", "--dtype", "bf16"])
        #expect(r.status == 0, "\(r.stderr)")
        let meta = try metadata(out)
        #expect(meta["shared_gate"] == "sigmoid" && meta["dag_layers"] == "2" && meta["d_g"] == "4")
        let header = try CrosscheckFixtures.read(out).header
        let up = try #require(header["dag.1.up.weight"] as? [String: Any])
        #expect(up["dtype"] as? String == "BF16" && (up["shape"] as? [Int]) == [16, 4])
        #expect(header["shared_gate.weight"] != nil)
        let check = try runAnalyze(["crosscheck", out, "--tokens", "16", "--jacobian-tokens", "2", "--format", "json"])
        let json = try ModelCommandFixtures.json(check.stdout)
        let jac = try #require(json["jacobian"] as? [String: Any])
        #expect(jac["excess_ranks"] as? [Int] == [3, 3] && jac["weighted_sum_bound"] as? Int == 3 && jac["bound"] as? Int == 11)
        #expect(json["weight_dtypes"] as? [String] == ["BF16"])
    }

    @Test func errorsAreOneLine() throws {
        let dir = ModelCommandFixtures.path("deepseek_moe")
        for (args, status, message) in [
            (["convert", "--model", dir, "--layer", "0", "-o", scratch("x.safetensors")], Int32(1), "layer 0 is not an MoE layer"),
            (["convert", "--model", dir, "--layer", "1", "-o", scratch("x.safetensors"), "--dtype", "f16"], 64, "--dtype must be f32, bf16 or f64"),
            (["convert", "--model", dir, "--layer", "1", "-o", "/nonexistent/dir/x.safetensors"], 1, "/nonexistent/dir/x.safetensors"),
            (["convert", "--model", dir, "--layer=-1", "-o", scratch("x.safetensors")], 64, "--layer -1 is negative"),
        ] {
            let r = try runAnalyze(args)
            #expect(r.status == status && r.stderr.contains(message) && r.stderr.filter { $0 == "\n" }.count == 1,
                    "\(args): \(r.stderr)")
        }
    }
}
