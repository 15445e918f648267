import Checkpoint
import Foundation
import Testing

/// `analyze train` end to end on tiny runs: the loss falls, the checkpoint passes
/// `analyze crosscheck`, runs repeat byte for byte, and bad input is one line.
@Suite struct TrainCommandTests {
    static let tiny = ["--d", "16", "--n", "4", "--k", "2", "--d-ff", "8", "--d-g", "4", "--functions", "2",
                       "--steps", "40", "--batch", "32", "--warmup", "5", "--eval-every", "10", "--eval-tokens", "64"]

    static func path(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("train-\(getpid())-\(name)").path
    }

    @Test func dagRunLearnsWritesCurveAndACheckpointCrosscheckPasses() throws {
        let out = TrainCommandTests.path("dag.safetensors"), csv = TrainCommandTests.path("dag.csv")
        defer { for p in [out, csv] { try? FileManager.default.removeItem(atPath: p) } }
        let r = try runAnalyze(["train", "--task", "sum", "--aggregator", "dag", "--depth", "2", "--out", out, "--csv", csv,
                                "--format", "json"] + TrainCommandTests.tiny)
        #expect(r.status == 0, "\(r.stderr)")
        let o = try jsonObject(r.stdout)
        let first = try #require(o["initial_heldout_loss"] as? Double), last = try #require(o["final_heldout_loss"] as? Double)
        #expect(last < 0.8 * first, "held-out loss \(first) → \(last)")
        #expect(o["steps"] as? Int == 40)
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "step,train_loss,heldout_loss,heldout_aux,learning_rate,grad_norm")
        #expect(lines.count == 6 && lines[5].hasPrefix("40,"))

        let check = try runAnalyze(["crosscheck", out, "--format", "json"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(try jsonObject(check.stdout)["pass"] as? Bool == true)
    }

    /// `--edge-scorer bilinear` trains the extension's A_l, saves them with `edge_scorer = bilinear`,
    /// and the file loads back as a bilinear layer whose references crosscheck.
    @Test func bilinearScorerRoundTripsAndCrosschecks() throws {
        let out = TrainCommandTests.path("bilinear.safetensors")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runAnalyze(["train", "--task", "composition", "--aggregator", "dag", "--depth", "2",
                                "--edge-scorer", "bilinear", "--out", out] + TrainCommandTests.tiny)
        #expect(r.status == 0, "\(r.stderr)")
        let checkpoint = try LayerCheckpoint(path: out)
        #expect(checkpoint.config.extensions.edgeScorer == .bilinear)
        let a = try checkpoint.parameters(Double.self)["dag.1.edge.bilinear"]
        #expect(a.shape == [4, 4] && a.data.contains { $0 != 0 })
        let check = try runAnalyze(["crosscheck", out, "--format", "json"])
        #expect(check.status == 0, "\(check.stderr)")
        let o = try jsonObject(check.stdout)
        #expect(o["pass"] as? Bool == true)
        #expect((o["tensors"] as? [[String: Any]])?.contains { $0["name"] as? String == "ref.grad.dag.1.edge.bilinear" } == true)
        let chain = try runAnalyze(["train", "--task", "sum", "--aggregator", "chain", "--edge-scorer", "bilinear",
                                    "--out", out] + TrainCommandTests.tiny)
        #expect(chain.status != 0 && chain.stderr.contains("--edge-scorer bilinear needs --aggregator dag"))
    }

    @Test func sameSeedGivesTheSameFileOtherSeedDoesNot() throws {
        let a = TrainCommandTests.path("a.safetensors"), b = TrainCommandTests.path("b.safetensors"),
            c = TrainCommandTests.path("c.safetensors")
        defer { for p in [a, b, c] { try? FileManager.default.removeItem(atPath: p) } }
        for (path, seed) in [(a, "3"), (b, "3"), (c, "4")] {
            let r = try runAnalyze(["train", "--task", "composition", "--aggregator", "ws", "--shared-d-ff", "4",
                                    "--seed", seed, "--out", path] + TrainCommandTests.tiny)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let da = try Data(contentsOf: URL(fileURLWithPath: a)), db = try Data(contentsOf: URL(fileURLWithPath: b))
        let dc = try Data(contentsOf: URL(fileURLWithPath: c))
        #expect(da == db)
        #expect(da != dc)
    }

    @Test func chainCheckpointLoadsAsItsFirstIteration() throws {
        let out = TrainCommandTests.path("chain.safetensors")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runAnalyze(["train", "--task", "composition3", "--aggregator", "chain", "--chain-iterations", "3",
                                "--out", out, "--d", "20"] + TrainCommandTests.tiny.dropFirst(2))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("chain C=3"))
        let check = try runAnalyze(["crosscheck", out, "--format", "json"])
        #expect(check.status == 0, "\(check.stderr)")
        let config = try #require(try jsonObject(check.stdout)["config"] as? [String: Any])
        #expect(config["dag_layers"] as? String == "0")
        // The header names the extra routers.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        let header = String(decoding: bytes.prefix(4096), as: UTF8.self)
        #expect(header.contains("chain.1.router.weight") && header.contains("chain.2.router.weight"))
    }

    @Test func badInputsAreOneLineErrors() throws {
        let out = TrainCommandTests.path("bad.safetensors")
        for (args, phrase) in [
            (["train", "--task", "sum", "--out", out, "--aggregator", "dag", "--depth", "0"], "--depth"),
            (["train", "--task", "sum", "--out", out, "--aggregator", "chain", "--shared-d-ff", "4"], "chain"),
            (["train", "--task", "composition3", "--out", out, "--d", "12"], "content"),
            (["train", "--task", "sum", "--out", out, "--lr", "-1"], "--lr"),
            (["train", "--task", "tree", "--out", out], "tree"),
            (["train", "--task", "sum", "--out", "/nonexistent/dir/x.safetensors", "--steps", "1", "--eval-tokens", "8"],
             "/nonexistent/dir"),
        ] {
            let r = try runAnalyze(args)
            expectOneLineError(r, phrase, "\(args)")
        }
    }
}
