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

/// JSON text read back renders exactly as written (key order, integers apart from doubles).
@Suite struct JSONParserTests {
    @Test func roundTrips() throws {
        let value = JSON.object([
            ("a", .int(3)), ("b", .double(3.0)), ("c", .double(1e-300)), ("d", .array([.null, .bool(true), .bool(false)])),
            ("e", .string("tab\t \"quote\" \u{1} é ∑")), ("f", .object([])), ("g", .array([])), ("h", .double(-0.25)),
        ])
        let text = value.rendered()
        let back = try JSON(parsing: text)
        #expect(back.rendered() == text)
        #expect(back["a"]?.rendered() == "3" && back["b"]?.rendered() == "3.0" && back["z"] == nil)
    }

    @Test func errorsNameTheOffset() {
        for (text, offset) in [("{\"a\": }", 6), ("[1, 2", 5), ("{\"a\": 1} x", 9), ("\"open", 5)] {
            #expect(throws: JSONParseError.self) { try JSON(parsing: text) }
            do { _ = try JSON(parsing: text) } catch { #expect(error.offset == offset, "\(text): \(error)") }
        }
    }
}
