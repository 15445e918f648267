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

    @Test func tooFewSeedsOrIterationsAreErrors() throws {
        for args in [["compare", "--task", "sum", "--seeds", "0"], ["compare", "--task", "sum", "--chain-iterations", "0"]] {
            let r = try runAnalyze(args)
            #expect(r.status != 0)
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
    }
}
