import Testing
@testable import Report

@Suite struct SVGPlotTests {
    @Test func logTicksAreWholeDecades() {
        #expect(SVGPlot.logTicks(-2.3, 3.7) == [-2, -1, 0, 1, 2, 3])
        #expect(SVGPlot.logTicks(0, 30) == [0, 5, 10, 15, 20, 25, 30])
        // Less than a decade: linear ticks of the exponent.
        #expect(SVGPlot.logTicks(0.1, 0.4).allSatisfy { $0 >= 0.1 && $0 <= 0.4 })
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
        #expect(svg.contains(">1e2<"))
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
