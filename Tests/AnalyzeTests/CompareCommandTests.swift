import Foundation
import Testing

/// `analyze compare` on a tiny run: five models, matched parameters, statistics over seeds, the SVG.
@Suite struct CompareCommandTests {
    @Test func tinyComparisonHasEveryModelAndMatchedParameters() throws {
        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("compare-\(getpid()).svg").path
        defer { try? FileManager.default.removeItem(atPath: svg) }
        let r = try runAnalyze(["compare", "--task", "sum", "--seeds", "2", "--plot", svg, "--format", "json"]
                               + TrainCommandTests.tiny.map { $0 == "40" ? "12" : $0 })
        #expect(r.status == 0, "\(r.stderr)")
        let o = try jsonObject(r.stdout)
        let models = try #require(o["models"] as? [[String: Any]])
        #expect(models.map { $0["model"] as? String } == ["ws", "ws+shared", "dag L=1", "dag L=2", "chain C=2"])
        let params = models.map { $0["parameters"] as? Int ?? 0 }
        // d = 16, N = 4, d_ff = 8: experts 4·3·16·8 = 1536, router 64.
        #expect(params[0] == 1600)
        // One DAG round (rmsnorm): d + 2·d·d_g + 2·d_g² + 2·d_g + 1 = 16 + 128 + 32 + 8 + 1 = 185.
        #expect(params[2] == 1600 + 185 && params[3] == 1600 + 370)
        // The shared expert (3·16·w) closest to 370: w = 8, 384 parameters.
        #expect(params[1] == 1600 + 384)
        #expect(params[4] == 1600 + 64)
        for m in models {
            let losses = try #require(m["final_heldout_loss"] as? [Double])
            #expect(losses.count == 2)
            let mean = try #require(m["mean"] as? Double), std = try #require(m["std"] as? Double)
            #expect(Swift.abs(mean - (losses[0] + losses[1]) / 2) < 1e-12)
            #expect(Swift.abs(std - Swift.abs(losses[0] - losses[1]) / 2.0.squareRoot()) < 1e-12)
        }
        let plot = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(plot.hasPrefix("<svg") && plot.components(separatedBy: "<polyline").count == 6)

        let text = try runAnalyze(["compare", "--task", "sum", "--seeds", "1", "--plot", svg]
                                  + TrainCommandTests.tiny.map { $0 == "40" ? "5" : $0 })
        #expect(text.stdout.contains("final held-out loss") && text.stdout.contains("dag L=2"))
    }

    static let tinier = TrainCommandTests.tiny.map { $0 == "40" ? "6" : $0 }

    /// Default five seeds, FLOPs matching, the paired test and the band plot.
    @Test func flopsMatchingPairedTestAndBands() throws {
        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("compare-flops-\(getpid()).svg").path
        defer { try? FileManager.default.removeItem(atPath: svg) }
        let r = try runAnalyze(["compare", "--task", "composition", "--match", "flops", "--plot", svg, "--plot-from", "5",
                                "--format", "json"] + TrainCommandTests.tiny.map { $0 == "40" ? "12" : $0 })
        #expect(r.status == 0, "\(r.stderr)")
        let o = try jsonObject(r.stdout)
        #expect(o["seeds"] as? Int == 5 && o["match"] as? String == "flops")
        let models = try #require(o["models"] as? [[String: Any]])
        let flops = models.map { $0["flops_per_token"] as? Int ?? 0 }
        // d = 16: the shared width is rounded to a whole unit, so FLOPs agree to 3·d.
        #expect(abs(flops[1] - flops[3]) <= 3 * 16 && flops[4] == 2 * flops[0])
        #expect(models.allSatisfy { ($0["final_heldout_loss"] as? [Double])?.count == 5 && $0["ci95"] is [Double] })
        let paired = try #require(o["paired"] as? [String: Any])
        #expect(paired["a"] as? String == "dag L=2" && paired["b"] as? String == "ws+shared" && paired["df"] as? Int == 4)
        let p = try #require(paired["p"] as? Double)
        #expect(p >= 0 && p <= 1)
        let plot = try String(contentsOfFile: svg, encoding: .utf8)
        // Five bands over the steps 10 and 12 (step 0 is before --plot-from).
        #expect(plot.components(separatedBy: "<polygon").count == 6 && !plot.contains(">0</text>"))
    }

    /// A sweep: one row per point, and a numeric CSV with mean and std in separate columns.
    @Test func sweepRowsAndNumericCSV() throws {
        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("compare-sweep-\(getpid()).svg").path
        defer { try? FileManager.default.removeItem(atPath: svg) }
        let csv = try runAnalyze(["compare", "--task", "sum", "--seeds", "2", "--sweep", "dg=2,4", "--plot", svg,
                                  "--format", "csv"] + CompareCommandTests.tinier)
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.count == 1 + 2 * 5)
        #expect(lines[0].hasPrefix("point,model,aggregator,dag_layers,shared_d_ff,chain_iterations,parameters,flops_per_token,seeds,mean,std"))
        #expect(!csv.stdout.contains("±") && lines[1].hasPrefix("dg=2,ws,ws,0,0,1,1600,"))
        let text = try runAnalyze(["compare", "--task", "sum", "--seeds", "2", "--sweep", "depth=1,3", "--plot", svg]
                                  + CompareCommandTests.tinier)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("depth=3  dag L=3") && text.stdout.contains("depth=1: paired test over 2 seeds"))
        #expect(text.stdout.contains("point        ws  ws+shared     dag  chain C=2  dag − ws+shared"))
        for bad in [["--sweep", "dg"], ["--sweep", "width=3"], ["--sweep", "k=2,9"], ["--match", "cost"]] {
            let r = try runAnalyze(["compare", "--task", "sum"] + bad + CompareCommandTests.tinier)
            expectOneLineError(r, "analyze: ", "\(bad)")
        }
    }

    @Test func tooFewSeedsOrIterationsAreErrors() throws {
        for args in [["compare", "--task", "sum", "--seeds", "0"], ["compare", "--task", "sum", "--chain-iterations", "0"]] {
            let r = try runAnalyze(args)
            expectOneLineError(r, "analyze: ", "\(args)")
        }
    }
}
