import Checkpoint
import Foundation
import LinearAlgebra
import Testing

/// `analyze crosscheck` on trained files: task data by default, --inputs for spec checkpoints,
/// the usage section and ablations, the two verdicts, --dump-gates and --gate-plot.
@Suite struct UsageCommandTests {
    static func path(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("usage-\(getpid())-\(name)").path
    }

    static func trained(_ name: String, aggregator: [String]) throws -> String {
        let out = path(name)
        let r = try runAnalyze(["train", "--task", "composition", "--out", out, "--eval-tokens", "96"] + aggregator
                               + TrainCommandTests.tiny.filter { $0 != "--eval-tokens" && $0 != "64" })
        #expect(r.status == 0, "\(r.stderr)")
        return out
    }

    @Test func trainedLayerIsAnalysedOnItsHeldOutBatch() throws {
        let file = try UsageCommandTests.trained("dag.safetensors", aggregator: ["--aggregator", "dag", "--depth", "2"])
        let dump = UsageCommandTests.path("gates.safetensors"), plot = UsageCommandTests.path("gates.svg")
        defer { for p in [file, dump, plot] { try? FileManager.default.removeItem(atPath: p) } }
        let r = try runAnalyze(["crosscheck", file, "--format", "json", "--jacobian-tokens", "2", "--dump-gates", dump,
                                "--gate-plot", plot])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try jsonObject(r.stdout)
        #expect((o["inputs"] as? String)?.hasPrefix("96 held-out tokens of task composition") == true)
        let usage = try #require(o["usage"] as? [String: Any])
        #expect(usage["tokens"] as? Int == 96)
        let ablations = try #require((usage["ablations"] as? [String: Any])?["rows"] as? [[String: Any]])
        #expect(ablations.count == 1 + 3 * 2 && ablations.allSatisfy { $0["loss"] is Double })
        let verdict = try #require(o["verdict"] as? [String: Any])
        #expect(verdict["capability"] as? String != nil && verdict["usage"] as? String != nil)
        #expect(verdict["chain_iterations"] is NSNull)
        // The dump holds per-token selections, gates and both rounds' edge gates.
        let gates = try SafeTensorsFile(path: dump)
        #expect(try gates.info("topk").shape == [96, 2] && gates.info("edge_gates.1").shape == [96, 2, 2])
        #expect(try gates.info("module_share").shape == [96] && gates.metadata["inputs"]?.contains("held-out") == true)
        #expect(try String(contentsOfFile: plot, encoding: .utf8).contains("round 1"))
        let text = try runAnalyze(["crosscheck", file, "--jacobian-tokens", "2"])
        #expect(text.stdout.contains("ablations (each fixes one round's gates; later rounds recompute"))
        #expect(text.stdout.contains("capability (rank test") && text.stdout.contains("usage (ablations on 96 tokens)"))
    }

    @Test func inputsFileAndChainCheckpoint() throws {
        let file = try UsageCommandTests.trained("dag1.safetensors", aggregator: ["--aggregator", "dag"])
        let inputs = UsageCommandTests.path("inputs.safetensors")
        let chain = try UsageCommandTests.trained("chain.safetensors", aggregator: ["--aggregator", "chain"])
        defer { for p in [file, inputs, chain] { try? FileManager.default.removeItem(atPath: p) } }
        var writer = SafeTensorsWriter()
        var rng = SeededRandom(seed: 1)
        try writer.add("x", shape: [5, 16], doubles: (0..<80).map { _ in rng.nextNormal() })
        try writer.write(to: inputs)
        let r = try runAnalyze(["crosscheck", file, "--inputs", inputs, "--format", "json", "--jacobian-tokens", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try jsonObject(r.stdout)
        #expect(o["inputs"] as? String == "5 tokens from x in \(inputs)")
        let usage = try #require(o["usage"] as? [String: Any])
        #expect((usage["ablations"] as? [String: Any])?["trained_loss"] is NSNull)
        let both = try runAnalyze(["crosscheck", file, "--inputs", inputs, "--tokens", "3"])
        #expect(both.status != 0 && both.stderr.contains("either --inputs or --tokens"))

        let c = try runAnalyze(["crosscheck", chain, "--jacobian-tokens", "1"])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stdout.contains("chain checkpoint: all 2 iterations analysed"))
        #expect(c.stdout.contains("iteration 1 (router chain.1.router.weight, on iteration 0's output): capability weighted-sum (ranks 2…2)"))
        #expect(c.stdout.contains("usage: no DAG module (L = 0)"))
        let j = try jsonObject(try runAnalyze(["crosscheck", chain, "--jacobian-tokens", "1", "--format", "json"]).stdout)
        let verdict = try #require(j["verdict"] as? [String: Any])
        #expect(verdict["iterations_analysed"] as? Int == 2)
        // The chain's loss over all iterations on the held-out batch is the one training reported.
        let loss = try #require((verdict["chain"] as? [String: Any])?["heldout_loss"] as? Double)
        let final = try #require(Double(try LayerCheckpoint(path: chain).file.metadata["final_heldout_loss"] ?? ""))
        #expect(abs(loss - final) < 1e-5 * max(1, final))
    }
}
