import Testing
@testable import Report
import TestSupport
import Foundation

@Suite struct SVGPlotTests {
    @Test func logTicksAreWholeDecadesOrOneTwoFive() {
        #expect(SVGPlot.logTicks(-2.3, 3.7).map(\.value) == [-2, -1, 0, 1, 2, 3])
        #expect(SVGPlot.logTicks(-2.3, 3.7).map(\.label) == ["0.01", "0.1", "1", "10", "100", "1000"])
        #expect(SVGPlot.logTicks(0, 30).map(\.value) == [0, 5, 10, 15, 20, 25, 30])
        #expect(SVGPlot.logTicks(0, 30).last?.label == "1e30")
        // Under three decades: 1, 2 and 5 × 10^m, never 10^0.2 = 1.585.
        #expect(SVGPlot.logTicks(-0.1, 1.8).map(\.label) == ["1", "2", "5", "10", "20", "50"])
        // Inside one factor of two: multiples of a round step in value space.
        let narrow = SVGPlot.logTicks(log10(1.2), log10(1.9)).map(\.label)
        #expect(narrow == ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9"] || SVGCheck.areRound(narrow))
        #expect(SVGCheck.areRound(narrow) && narrow.count >= 3)
    }

    @Test func linearTicksAreMultiplesOfARoundStep() {
        #expect(SVGPlot.linearTicks(0.05, 1.27, integer: false).map(\.label) == ["0.2", "0.4", "0.6", "0.8", "1.0", "1.2"])
        #expect(SVGPlot.linearTicks(4, 6, integer: true).map(\.label) == ["4", "5", "6"])
        #expect(SVGPlot.linearTicks(1, 2048, integer: true).map(\.label) == ["500", "1000", "1500", "2000"])
        for (lo, hi) in [(0.0, 1.0), (-3.7, 12.2), (1e-7, 3e-7), (2e6, 9e6), (0.999, 1.001)] {
            let labels = SVGPlot.linearTicks(lo, hi, integer: false).map(\.label)
            #expect(SVGCheck.areRound(labels), "\(lo)…\(hi): \(labels)")
        }
        #expect(!SVGCheck.areRound(["1.585", "2.512", "3.981"]) && !SVGCheck.areRound(["1e-0.5", "1"]))
    }

    static let longNames = SVGPlot(title: "Expert combinations, n = 64", xLabel: "k (experts selected per token)",
                                   yLabel: "log10 count", series: [
        .init(name: "weighted_sum", points: [(8, 9.6)]),
        .init(name: "module_patterns (L=1)", points: [(8, 19.3)]),
        .init(name: "realizable.structural_ratio_with_a_much_longer_name_than_fits", points: [(8, 12)]),
    ], integerX: true)

    @Test func everyTextLiesInsideTheCanvas() {
        let check = SVGCheck(SVGPlotTests.longNames.render())
        #expect(check.width == 720 && check.texts.count > 8)
        #expect(check.textsOutsideCanvas().isEmpty, "\(check.textsOutsideCanvas())")
        #expect(check.texts.contains { $0.content == "module_patterns (L=1)" })
        #expect(check.texts.contains { $0.content.hasPrefix("realizable.structural_ratio") && $0.content.hasSuffix("…") })
    }

    @Test func oneKGivesIntegerTicksAroundIt() {
        let check = SVGCheck(SVGPlotTests.longNames.render())
        #expect(check.labels("xtick") == ["7", "8", "9"])
        #expect(SVGCheck.areRound(check.labels("ytick")))
    }

    @Test func marksAndSubscripts() {
        let plot = SVGPlot(title: "t", xLabel: "index i", yLabel: "σ_{i}", series: [
            .init(name: "ws: rank 2", points: [(1, 3), (2, 1), (3, 1e-15)]),
        ], logY: true, integerX: true, marks: [
            .init(axis: .y, value: 1e-13, series: 0, label: "tolerance"),
            .init(axis: .x, value: 2.5, series: 0, label: "rank 2"),
        ])
        let svg = plot.render()
        #expect(svg.contains("σ<tspan baseline-shift=\"sub\" font-size=\"75%\">i</tspan>"))
        #expect(svg.components(separatedBy: "stroke-dasharray").count == 3)
        let check = SVGCheck(svg)
        #expect(check.textsOutsideCanvas().isEmpty, "\(check.textsOutsideCanvas())")
        #expect(SVGCheck.areRound(check.labels("ytick")) && SVGCheck.areRound(check.labels("xtick")))
        #expect(check.texts.contains { $0.content == "tolerance" } && check.texts.contains { $0.content == "rank 2" })
    }

    @Test func rendersEverySeriesWithItsName() {
        let plot = SVGPlot(title: "t<1>", xLabel: "x", yLabel: "y", series: [
            .init(name: "a", points: [(1, 10), (2, 100), (3, 1000)]),
            .init(name: "b", points: [(1, 0), (2, 5)]),
        ], logY: true)
        let svg = plot.render()
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("t&lt;1&gt;"))
        #expect(svg.contains(">100<"))
        #expect(svg.components(separatedBy: "<polyline").count == 2)   // b has one plottable point
    }

    /// A band is one polygon under its line, its upper edge left to right then the lower edge back;
    /// its extremes widen the y range.
    @Test func bandIsAPolygonAndWidensTheRange() {
        let plot = SVGPlot(title: "t", xLabel: "x", yLabel: "y", series: [
            .init(name: "a", points: [(0, 1), (1, 1)], band: [(0, 0, 2), (1, 0.5, 4)]),
        ])
        let svg = plot.render()
        #expect(svg.components(separatedBy: "<polygon").count == 2)
        #expect(svg.range(of: "<polygon")!.lowerBound < svg.range(of: "<polyline")!.lowerBound)
        // y spans [0, 4] padded by 5%: the tick at 4 is drawn, as it would not be for the line alone.
        #expect(svg.contains(">4</text>"))
        let points = svg.components(separatedBy: "<polygon")[1].components(separatedBy: "points=\"")[1]
            .components(separatedBy: "\"")[0].split(separator: " ")
        #expect(points.count == 4)
    }
}

@Suite struct TableTests {
    @Test func textCsvMarkdown() {
        var t = Table(header: ["a", "value"], alignments: [.left, .right])
        t.append(["x", "1"])
        t.append(["long,name", "22"])
        #expect(t.text() == "a          value\n---------  -----\nx              1\nlong,name     22\n")
        #expect(t.csv() == "a,value\nx,1\n\"long,name\",22\n")
        #expect(t.markdown() == "| a | value |\n|---|---:|\n| x | 1 |\n| long,name | 22 |\n")
    }

    @Test func jsonEscapesAndKeepsOrder() {
        let json = JSON.object([("b", .int(1)), ("a", .string("q\"\n")), ("n", .double(.nan)), ("l", .array([.null, .bool(true)]))])
        #expect(json.rendered() == "{\"b\": 1, \"a\": \"q\\\"\\n\", \"n\": null, \"l\": [null, true]}")
    }
}

@Suite struct ProgressBarTests {
    /// Collects what a bar writes.
    final class Sink: @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
        func write(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    }

    @Test func costWeightsTheFraction() {
        let bar = ProgressBar("table", total: 1024, cost: { pow(Double($0), 4) }, mode: .off)
        // Half the steps of a k⁴ table are a sixteenth of its work.
        #expect(abs(bar.fraction(512) - 1.0 / 16) < 1e-12)
        #expect(bar.fraction(1024) == 1 && bar.fraction(0) == 0)
        #expect(ProgressBar("plain", total: 4, mode: .off).fraction(1) == 0.25)
    }

    @Test func offATerminalItWritesWholeLines() {
        let sink = Sink()
        let bar = ProgressBar("work", total: 10, mode: .lines(every: 0), write: { sink.write($0) })
        bar.update(5)
        bar.finish()
        #expect(sink.lines.count == 1)
        #expect(sink.lines.first?.hasPrefix("work: 5/10 50% ") == true && sink.lines.first?.hasSuffix("\n") == true)
        #expect(sink.lines.allSatisfy { !$0.contains("\r") && !$0.contains("\u{1B}") })
    }

    @Test func linesWaitTheirInterval() {
        let sink = Sink()
        let bar = ProgressBar("work", total: 10, mode: .lines(every: 3600), write: { sink.write($0) })
        for i in 1...10 { bar.update(i) }
        #expect(sink.lines.isEmpty)
    }
}
