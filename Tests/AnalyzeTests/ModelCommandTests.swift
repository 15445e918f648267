import Foundation
import Testing

/// The model fixtures of Tests/CheckpointTests (tools/make_model_fixtures.py).
enum ModelCommandFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("CheckpointTests/Fixtures/models")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// (name, K, router renormalises, sigmoid shared gate, MoE layers).
    static let models: [(name: String, k: Int, sumsToOne: Bool, gate: Bool, layers: [Int])] = [
        ("mixtral", 2, true, false, [0, 1]), ("qwen2_moe", 2, false, true, [0, 1]), ("qwen3_moe", 3, true, false, [0, 1]),
        ("olmoe", 2, false, false, [0, 1]), ("deepseek_moe", 2, false, false, [1]), ("deepseek_v2", 3, false, false, [0, 1]),
    ]

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

/// `analyze crosscheck --model` and `analyze count --config` on the fixtures.
@Suite struct ModelCommandTests {
    /// Every layer of every fixture against its PyTorch reference block, and the excess
    /// rank at the weighted-sum bound (K, K − 1 when renormalised, + 1 for a shared gate).
    @Test(arguments: ModelCommandFixtures.models.map(\.name))
    func allLayersPassAgainstTheReference(_ name: String) throws {
        let m = try #require(ModelCommandFixtures.models.first { $0.name == name })
        let dir = ModelCommandFixtures.path(name)
        let r = try runAnalyze(["crosscheck", "--model", dir, "--all-layers", "--inputs", dir + "/reference.safetensors",
                                "--jacobian-tokens", "4", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try ModelCommandFixtures.json(r.stdout)
        #expect(json["pass"] as? Bool == true && json["model_type"] as? String != nil)
        let layers = try #require(json["layers"] as? [[String: Any]])
        #expect(layers.compactMap { $0["layer"] as? Int } == m.layers)
        let bound = (m.sumsToOne ? m.k - 1 : m.k) + (m.gate ? 1 : 0)
        for layer in layers {
            let jac = try #require(layer["jacobian"] as? [String: Any])
            #expect(jac["weighted_sum_bound"] as? Int == bound && jac["verdict"] as? String == "weighted-sum")
            #expect((jac["excess_ranks"] as? [Int]) == [bound, bound, bound, bound])
            let sv = try #require(jac["gate_singular_values"] as? [[Double]])
            let norms = try #require(jac["norm_j"] as? [Double])
            for (values, norm) in zip(sv, norms) {
                #expect(values.count == bound + 1 && values[bound - 1] > 1e-6 * norm && values[bound] < 1e-12 * norm)
            }
            let ref = try #require(layer["reference"] as? [String: Any])
            #expect((ref["max_rel"] as? Double ?? 1) < 1e-12 && ref["topk_mismatches"] as? Int == 0 && ref["tokens"] as? Int == 12)
            #expect(layer["mapping_bug"] as? Bool == false)
        }
    }

    @Test func oneLayerInText() throws {
        let r = try runAnalyze(["crosscheck", "--model", ModelCommandFixtures.path("qwen2_moe"), "--layer", "1",
                                "--tokens", "20", "--jacobian-tokens", "2"])
        #expect(r.status == 0 && r.stderr.isEmpty)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines[1] == "layer 1: model.layers.1.mlp, experts.{e}.gate_proj/up_proj/down_proj → the spec's layer with L = 0, "
            + "softmax_topk (top-k weights not renormalised), extension shared_gate")
        #expect(lines.contains("rank tolerance 1.00e-10·‖J‖₂; a weighted-sum layer has rank(R) ≤ 3 (K, + 1 for the shared gate)"))
        #expect(lines.contains("verdict: weighted-sum (ranks 3…3 ≤ 3): the layer is the linear-gated sum the mapping says"))
        #expect(lines.contains("Routing on 20 tokens (20 random N(0, 1) tokens, seed 0)"))
        #expect(lines.contains { $0.hasPrefix("expert utilization: ") && $0.split(separator: " ").count == 2 + 6 + 6 })
    }

    /// A rank tolerance of zero counts round-off as rank: the excess goes past the bound,
    /// which the output reports as a mapping bug with exit status 1.
    @Test func excessAboveTheBoundIsReportedAsAMappingBug() throws {
        let r = try runAnalyze(["crosscheck", "--model", ModelCommandFixtures.path("mixtral"), "--all-layers",
                                "--rank-rtol", "0", "--tokens", "4", "--jacobian-tokens", "1"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("EXCEEDS the weighted-sum bound on layers 0, 1"))
        #expect(r.stderr == "analyze: crosscheck FAILED on layer(s) 0, 1: excess rank above the weighted-sum bound — "
            + "the layout mapping is wrong (a bug in analyze)\n")
    }

    @Test func csvHasOneRowPerLayer() throws {
        let r = try runAnalyze(["crosscheck", "--model", ModelCommandFixtures.path("deepseek_v2"), "--all-layers",
                                "--tokens", "8", "--jacobian-tokens", "1", "--format", "csv"])
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(r.status == 0 && rows.count == 3)
        #expect(rows[0] == ["layer", "rank_min", "rank_max", "bound", "sigma_b_over_norm_j_min", "sigma_b1_over_norm_j_max",
                            "verdict", "utilization_entropy", "routing_entropy", "module_share", "usage", "ref_max_rel",
                            "experts_read", "ok"])
        for (i, row) in rows.dropFirst().enumerated() {
            #expect(row[0] == String(i) && row[1] == "3" && row[2] == "3" && row[3] == "3" && row[6] == "weighted-sum")
            // Every numeric cell parses as a number; no reference and no rounds here, so those cells are empty.
            for c in [4, 5, 7, 8, 12] { #expect(Double(row[c]) != nil, "column \(rows[0][c]): \(row[c])") }
            #expect(row[9] == "" && row[10] == "" && row[11] == "" && row[13] == "true")
        }
    }

    /// A layer with stored DAG rounds (the `dagmoe_lm` fixture) reads as structural, with its
    /// own bound and its usage, in the one-layer text and in the per-layer table.
    @Test func dagLayersReadAsStructuralWithTheirUsage() throws {
        let dir = ModelCommandFixtures.path("dagmoe_lm")
        let one = try runAnalyze(["crosscheck", "--model", dir, "--layer", "1", "--tokens", "16", "--jacobian-tokens", "2"])
        #expect(one.status == 0)
        let lines = one.stdout.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("layer 1: model.layers.1.mlp, experts.{e}.w1/w3/w2 → the spec's layer with its stored DAG module, "
            + "L = 1, d_g = 4, rmsnorm"))
        #expect(lines.contains("rank tolerance 1.00e-10·‖J‖₂; a weighted-sum layer has rank(R) ≤ 2 (K); "
            + "with its 1 round(s), rank(R) ≤ min(d, L·d_g + that) = 6"))
        #expect(lines.contains("verdict: structural (ranks 6…6; weighted-sum bound 2, bound 6): the DAG rounds add rank a weighted sum cannot reach"))
        #expect(lines.contains("Usage on 16 tokens (16 random N(0, 1) tokens, seed 0)"))
        let csv = try runAnalyze(["crosscheck", "--model", dir, "--all-layers", "--tokens", "16", "--jacobian-tokens", "1",
                                  "--format", "csv"])
        let rows = csv.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(csv.status == 0 && rows.count == 2)
        for row in rows {
            #expect(row[6] == "structural" && (Double(row[9]) ?? 0) > 0)
            #expect(["module unused", "constant mixing", "token-dependent structure"].contains(String(row[10])))
        }
    }

    @Test func usageErrorsAreOneLine() throws {
        let dir = ModelCommandFixtures.path("deepseek_moe")
        let cases: [([String], Int32, String)] = [
            (["crosscheck"], 64, "give a checkpoint FILE or --model DIR"),
            (["crosscheck", "x.safetensors", "--model", dir, "--layer", "1"], 64, "not both"),
            (["crosscheck", "--model", dir], 64, "--model needs --layer I, --layers A-B or --all-layers"),
            (["crosscheck", "--model", dir, "--layer", "1", "--all-layers"], 64, "give one of --layer, --layers and --all-layers"),
            (["crosscheck", "--model", dir, "--layers", "3-1"], 64, "--layers must be A-B with 0 ≤ A ≤ B (got '3-1')"),
            (["crosscheck", "--model", dir, "--all-layers", "--shard", "2/2"], 64, "--shard must be i/N with 0 ≤ i < N (got '2/2')"),
            (["crosscheck", "--model", dir, "--layer", "1", "--shard", "0/2"], 64, "--shard splits --all-layers or --layers"),
            (["crosscheck", "--model", dir, "--layers", "5-9"], 1, "--layers 5-9 holds no MoE layer (MoE layers: 1)"),
            (["crosscheck", "--model", dir, "--layer", "1", "--tokens", "3", "--inputs", "f"], 64, "either --inputs or --tokens"),
            (["crosscheck", "x.safetensors", "--layer", "1"], 64, "go with --model DIR"),
            (["crosscheck", "--model", dir, "--layer", "0"], 1,
             "layer 0 is not an MoE layer: first_k_dense_replace = 1 makes layers below 1 dense; MoE layers: 1"),
            (["crosscheck", "--model", dir, "--layer", "5"], 1, "layer 5 is outside the model's 2 layers (0…1)"),
            (["crosscheck", "--model", dir, "--layer", "1", "--inputs", dir + "/config.json"], 1, "config.json"),
            (["crosscheck", "--model", "/nonexistent", "--layer", "1"], 1, "cannot read /nonexistent/config.json"),
        ]
        for (args, status, message) in cases {
            let r = try runAnalyze(args)
            #expect(r.status == status, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix("analyze: ") && r.stderr.contains(message) && r.stderr.filter { $0 == "\n" }.count == 1,
                    "\(args): \(r.stderr)")
        }
    }

    /// n and k from config.json, and the DAG module's cost: the parameters of the spec's
    /// dag.{l}.* tensors (norm d, down d_g·d, edge 2d_g + 1, node 2d_g², up d·d_g) per round.
    @Test func countFromAModelConfig() throws {
        let config = ModelCommandFixtures.path("deepseek_v2") + "/config.json"
        let r = try runAnalyze(["count", "--config", config, "--d-g", "4", "--max-depth", "2", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try ModelCommandFixtures.json(r.stdout)
        #expect(json["n"] as? Int == 8 && json["k"] as? Int == 3 && json["weighted_sum"] as? String == "56")
        let model = try #require(json["model"] as? [String: Any])
        #expect(model["model_type"] as? String == "deepseek_v2" && model["moe_layers"] as? Int == 2 && model["d_g"] as? Int == 4)
        #expect(model["routed_parameters_per_layer"] as? Int == 8 * 3 * 16 * 8)
        let rows = try #require(model["dag_module"] as? [[String: Any]])
        let perRound = 16 + 4 * 16 + (2 * 4 + 1) + 4 * 8 + 16 * 4
        #expect(rows.compactMap { $0["parameters_per_layer"] as? Int } == [perRound, 2 * perRound])

        let text = try runAnalyze(["count", "--config", config])
        #expect(text.status == 0 && text.stdout.hasPrefix("n = 8 routed experts, k = 3 selected per token\n"))
        #expect(text.stdout.contains("a DAG module of width d_g = 16 on each MoE layer would add (per layer; × 2 for the model):"))
        let override = try runAnalyze(["count", "--config", config, "--k", "2", "--format", "json"])
        #expect(try ModelCommandFixtures.json(override.stdout)["k"] as? Int == 2)

        for (args, message) in [(["count", "--k", "2"], "give --n N or --config FILE"),
                                (["count", "--n", "4", "--k", "2", "--d-g", "3"], "--d-g goes with --config"),
                                (["count", "--config", "/nonexistent/config.json"], "cannot read /nonexistent/config.json")] {
            let e = try runAnalyze(args)
            #expect(e.status == 64 && e.stderr.contains(message), "\(args): \(e.stderr)")
        }
    }
}
