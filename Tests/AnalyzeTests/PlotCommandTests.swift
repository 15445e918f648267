import Foundation
import Testing
import TestSupport

/// The plots of count and rank, parsed: every text inside the 720 px canvas, tick labels round.
@Suite struct PlotCommandTests {
    static func plot(_ arguments: [String]) throws -> SVGCheck {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plot-\(UUID()).svg").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runAnalyze(arguments + ["--plot", path])
        #expect(r.status == 0, "\(r.stderr)")
        return SVGCheck(try String(contentsOfFile: path, encoding: .utf8))
    }

    @Test(arguments: [
        ["count", "--n", "64", "--k", "8"],
        ["count", "--n", "64", "--k-range", "1...12"],
        ["count", "--n", "10000000", "--k-range", "300...303"],
        ["rank", "--random", "6,4,1", "--depth", "3"],
        ["rank", "--random", "3,5,2", "--depth", "2", "--tol", "0.5"],
    ])
    func textsInsideAndTicksRound(arguments: [String]) throws {
        let check = try PlotCommandTests.plot(arguments)
        #expect(check.width == 720 && check.height == 440)
        #expect(check.textsOutsideCanvas().isEmpty, "\(check.textsOutsideCanvas())")
        #expect(SVGCheck.areRound(check.labels("xtick")), "\(check.labels("xtick"))")
        #expect(SVGCheck.areRound(check.labels("ytick")), "\(check.labels("ytick"))")
        #expect(check.labels("xtick").allSatisfy { Int($0) != nil })   // k and the index i are whole numbers
    }

    @Test func oneKIsOnePointPerSeriesOnWholeTicks() throws {
        let check = try PlotCommandTests.plot(["count", "--n", "64", "--k", "8"])
        #expect(check.labels("xtick") == ["7", "8", "9"])
        #expect(check.texts.contains { $0.attributes["class"] == "legend" && $0.content == "module_patterns (L=1)" })
    }

    @Test func rankPlotShowsTheToleranceAndTheRank() throws {
        let check = try PlotCommandTests.plot(["rank", "--random", "6,4,1", "--depth", "2"])
        let marks = check.texts.filter { $0.attributes["class"] == "mark" }.map(\.content)
        #expect(marks.contains("tolerance ws L=1") && marks.contains("rank 16 (chain L=2)"))
        let ylabel = try #require(check.texts.first { $0.attributes["class"] == "ylabel" })
        #expect(ylabel.content == "σi")   // σ with the subscript i in a tspan, not a literal "σ_i"
    }
}

/// rank's CSV: the label columns (family, svd routine) and numbers elsewhere, empty where a
/// gap or margin does not exist (full rank).
@Suite struct RankCSVTests {
    @Test func numericColumnsAreNumbers() throws {
        let r = try runAnalyze(["rank", "--random", "6,5,1", "--depth", "2", "--format", "csv"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines[0] == ["family", "depth", "columns", "bound", "rank", "tolerance", "σ_r/σ_r+1", "σ_r/tol", "svd"])
        for row in lines.dropFirst() {
            #expect(row.count == 9)
            for cell in row.dropFirst().dropLast() where !cell.isEmpty { #expect(Double(cell) != nil, "\(cell)") }
            #expect(row[6].isEmpty)   // full rank: no σ_r+1
        }
    }
}
