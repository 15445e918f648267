import Foundation
import Testing

/// `analyze count` end to end: output formats and every kind of bad input.
@Suite struct CountCommandTests {
    @Test func textTableForTheFrontDoor() throws {
        let r = try runAnalyze(["count", "--n", "64", "--k", "8"])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        #expect(r.stdout.contains("n = 64 routed experts, k = 8 selected per token"))
        let labeled = r.stdout.split(separator: "\n").first { $0.hasPrefix("dags.labeled ") }
        #expect(labeled?.contains("783702329343") == true)
        #expect(labeled?.contains("11.894") == true)
    }

    @Test func jsonCarriesEveryKeyAsDecimalStrings() throws {
        let r = try runAnalyze(["count", "--n", "8", "--k", "3", "--format", "json"])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["n"] as? Int == 8)
        #expect(object["k"] as? Int == 3)
        #expect(object["weighted_sum"] as? String == "56")
        #expect(object["ordered"] as? String == "336")
        #expect(object["structural"] as? String == "1400")
        #expect(object["expansion"] == nil)
        let realizable = try #require(object["realizable"] as? [String: Any])
        #expect(realizable["round_patterns"] as? String == "230")
        #expect(realizable["round_dags"] as? String == "19")
        #expect(realizable["round_dags_up_to_relabeling"] as? String == "5")
        #expect(realizable["structural"] as? String == "1064")
        #expect((realizable["patterns"] as? [String: String])?["2"] == "52900")
        let ratio = try #require(realizable["structural_ratio_log10"] as? Double)
        #expect(abs(ratio - log10(25.0 / 19.0)) < 1e-12)
        #expect(object["equivalent_experts"] as? String == "22")
        #expect(object["equivalent_granularity"] as? String == "2")
        let dags = try #require(object["dags"] as? [String: Any])
        #expect(dags["labeled"] as? String == "25")
        #expect(dags["one_sink"] as? String == "15")
        #expect(dags["one_source"] as? String == "15")
        #expect(dags["weakly_connected"] as? String == "18")
        // Every DAG on 3 nodes has depth ≤ 2, so depth_at_most.L = dags.labeled for L ≥ 2.
        #expect(dags["depth_at_most"] as? [String: String] == ["1": "13", "2": "25", "3": "25", "4": "25"])
        #expect((object["module_patterns"] as? [String: String])?["2"] == "262144")
    }

    @Test func granularityIsNullWhenNEqualsK() throws {
        let r = try runAnalyze(["count", "--n", "4", "--k", "4", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["equivalent_granularity"] is NSNull)
        let text = try runAnalyze(["count", "--n", "4", "--k", "4"])
        #expect(text.stdout.contains("no granularity helps when n = k"))
    }

    @Test func csvAndMarkdownGiveTheSameRows() throws {
        let csv = try runAnalyze(["count", "--n", "8", "--k", "2", "--format", "csv"]).stdout
        let md = try runAnalyze(["count", "--n", "8", "--k", "2", "--format", "markdown"]).stdout
        #expect(csv.contains("weighted_sum,28,1.447"))
        #expect(md.contains("| weighted_sum | 28 | 1.447 |"))
        let csvRows = csv.split(separator: "\n").count, mdRows = md.split(separator: "\n").count
        #expect(csvRows + 1 == mdRows)   // markdown adds the rule line
    }

    @Test func kRangeGivesOneRowPerKAndAPlot() throws {
        let plot = FileManager.default.temporaryDirectory.appendingPathComponent("count-\(UUID()).svg").path
        defer { try? FileManager.default.removeItem(atPath: plot) }
        let r = try runAnalyze(["count", "--n", "16", "--k-range", "1...6", "--format", "csv", "--plot", plot])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 7)
        #expect(lines[4].hasPrefix("4,1820,43680,543,"))
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.contains("structural"))
    }

    @Test(arguments: [
        (["--n", "8", "--k", "9"], "larger than --n"),
        (["--n", "8", "--k", "0"], "--k must be at least 1"),
        (["--n", "0", "--k", "1"], "--n must be at least 1"),
        (["--n", "-5", "--k", "2"], "--n -5 is negative"),
        (["--n", "8", "--k", "-2"], "--k -2 is negative"),
        (["--n", "abc", "--k", "2"], "'abc' is invalid"),
        (["--n", "8", "--k", "2.5"], "'2.5' is invalid"),
        (["--n", "10000", "--k", "5000"], "past the limit"),
        (["--n", "20000000", "--k", "2"], "past the limit"),
        (["--n", "8"], "give --k"),
        (["--n", "8", "--k-range", "5...2"], "--k-range '5...2' runs backwards"),
        (["--n", "8", "--k-range", "3...1"], "--k-range '3...1' runs backwards"),
        (["--n", "8", "--k-range", "1.3"], "--k-range '1.3' is not of the form A...B"),
        (["--n", "8", "--k-range", "1....3"], "--k-range '1....3' is not of the form A...B"),
        (["--n", "8", "--k-range", "a...b"], "--k-range 'a...b' is not of the form A...B"),
        (["--n", "8", "--k-range", "+1...3"], "--k-range '+1...3' is not of the form A...B"),
        (["--n", "8", "--k-range", "1...3..4"], "--k-range '1...3..4' is not of the form A...B"),
        (["--n", "8", "--k", "2", "--max-depth", "0"], "--max-depth"),
        (["--n", "8", "--k", "2", "--format", "xml"], "'xml' is invalid"),
    ])
    func badInputIsOneLineAndNonZero(arguments: [String], message: String) throws {
        let r = try runAnalyze(["count"] + arguments)
        expectOneLineError(r, message, "count")
        #expect(r.stdout.isEmpty)
    }
}
