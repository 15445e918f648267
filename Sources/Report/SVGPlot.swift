import Foundation

/// A small SVG line plot: several named series of (x, y) points, each with an optional shaded
/// band, optional log10 y axis,
/// axes with round tick labels, dashed reference lines, and a legend. Enough for curves of
/// counts, spectra and losses.
///
/// Every text lies inside the canvas: margins are sized from the labels, measured with
/// ``textWidth(_:fontSize:)`` (an upper bound for common sans-serif fonts), and a legend name or
/// title too long for the canvas is shortened with "…". Tick labels are round numbers: multiples of
/// 1, 2 or 5 × 10^m on a linear axis, 1, 2 or 5 × 10^m (or whole decades) on a log axis. In
/// titles and axis labels `_{…}` is written as a subscript (`σ_{i}`).
public struct SVGPlot: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// A shaded band around the line (for example the range over seeds), drawn under it.
        public var band: [(x: Double, low: Double, high: Double)]
        public init(name: String, points: [(x: Double, y: Double)], band: [(x: Double, low: Double, high: Double)] = []) {
            self.name = name
            self.points = points
            self.band = band
        }
    }

    /// A dashed reference line in the colour of series `series`: horizontal at y (a threshold)
    /// or vertical at x (a decision), with a short label inside the plot.
    public struct Mark: Sendable {
        public enum Axis: Sendable { case x, y }
        public var axis: Axis
        public var value: Double
        public var series: Int
        public var label: String
        public init(axis: Axis, value: Double, series: Int, label: String) {
            self.axis = axis
            self.value = value
            self.series = series
            self.label = label
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Plot log10(y); points with y ≤ 0 are dropped.
    public var logY: Bool
    /// x takes whole values (k, an index): ticks only at integers.
    public var integerX: Bool
    public var marks: [Mark]
    public var width = 720.0
    public var height = 440.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logY: Bool = false,
                integerX: Bool = false, marks: [Mark] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logY = logY
        self.integerX = integerX
        self.marks = marks
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    static let fontSize = 12.0, titleSize = 15.0, markSize = 10.0

    /// An upper bound on the width of `text` in a sans-serif font of `fontSize` px: 0.92 em for
    /// capitals and wide letters, 0.62 em for the rest (Helvetica, Arial and DejaVu Sans stay below).
    public static func textWidth(_ text: String, fontSize: Double) -> Double {
        let wide: Set<Character> = ["m", "w", "M", "W", "@", "%", "…"]
        return text.reduce(0.0) { sum, c in sum + ((c.isUppercase || wide.contains(c)) ? 0.92 : 0.62) } * fontSize
    }

    /// `text` shortened with "…" to at most `maxWidth` px.
    static func fitted(_ text: String, maxWidth: Double, fontSize: Double) -> String {
        guard textWidth(text, fontSize: fontSize) > maxWidth else { return text }
        var s = text
        while !s.isEmpty && textWidth(s + "…", fontSize: fontSize) > maxWidth { s.removeLast() }
        return s + "…"
    }

    /// The SVG document.
    public func render() -> String {
        let shown = series.map { s in
            s.points.compactMap { p -> (Double, Double)? in
                let y = logY ? (p.y > 0 ? log10(p.y) : .nan) : p.y
                return (p.x.isFinite && y.isFinite) ? (p.x, y) : nil
            }
        }
        let bands = series.map { s in
            s.band.compactMap { b -> (Double, Double, Double)? in
                let low = logY ? (b.low > 0 ? log10(b.low) : .nan) : b.low
                let high = logY ? (b.high > 0 ? log10(b.high) : .nan) : b.high
                return (b.x.isFinite && low.isFinite && high.isFinite) ? (b.x, low, high) : nil
            }
        }
        let markValue = { (m: Mark) -> Double? in
            let v = m.axis == .y && self.logY ? (m.value > 0 ? log10(m.value) : .nan) : m.value
            return v.isFinite ? v : nil
        }
        let bandXs = bands.flatMap { $0.map(\.0) }
        let bandYs = bands.flatMap { $0.flatMap { [$0.1, $0.2] } }
        let xs = shown.flatMap { $0.map(\.0) } + bandXs + marks.filter { $0.axis == .x }.compactMap(markValue)
        let ys = shown.flatMap { $0.map(\.1) } + bandYs + marks.filter { $0.axis == .y }.compactMap(markValue)
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1)
        var (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        if x1 <= x0 { x0 -= integerX ? 1 : 0.5; x1 += integerX ? 1 : 0.5 }
        if y1 <= y0 { y0 -= 0.5; y1 += 0.5 }
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad
        let xTicks = SVGPlot.linearTicks(x0, x1, integer: integerX)
        let yTicks = logY ? SVGPlot.logTicks(y0, y1) : SVGPlot.linearTicks(y0, y1, integer: false)

        let f = SVGPlot.fontSize
        let legendNameWidth = min(width * 0.3, series.map { SVGPlot.textWidth($0.name, fontSize: f) }.max() ?? 0)
        let right = series.isEmpty ? 20 : legendNameWidth + 58
        let left = (yTicks.map { SVGPlot.textWidth($0.label, fontSize: f) }.max() ?? 0) + 10 + 28
        let top = 40.0, bottom = 56.0
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * plotH }

        let titleSize = min(SVGPlot.titleSize, SVGPlot.titleSize * (width - 20) / SVGPlot.textWidth(title, fontSize: SVGPlot.titleSize))
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
        viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="\(Int(f))">
        <rect width="100%" height="100%" fill="white"/>
        <text class="title" x="\(n(width / 2))" y="22" text-anchor="middle" font-size="\(n(titleSize))">\(rich(title))</text>
        <rect x="\(n(left))" y="\(n(top))" width="\(n(plotW))" height="\(n(plotH))" fill="none" stroke="#444"/>

        """
        for t in xTicks {
            svg += "<line x1=\"\(n(px(t.value)))\" y1=\"\(n(top + plotH))\" x2=\"\(n(px(t.value)))\" y2=\"\(n(top + plotH + 5))\" stroke=\"#444\"/>"
            svg += "<text class=\"xtick\" x=\"\(n(px(t.value)))\" y=\"\(n(top + plotH + 18))\" text-anchor=\"middle\">\(t.label)</text>\n"
        }
        for t in yTicks {
            svg += "<line x1=\"\(n(left))\" y1=\"\(n(py(t.value)))\" x2=\"\(n(left + plotW))\" y2=\"\(n(py(t.value)))\" stroke=\"#ddd\"/>"
            svg += "<text class=\"ytick\" x=\"\(n(left - 6))\" y=\"\(n(py(t.value) + 4))\" text-anchor=\"end\">\(t.label)</text>\n"
        }
        svg += "<text class=\"xlabel\" x=\"\(n(left + plotW / 2))\" y=\"\(n(height - 14))\" text-anchor=\"middle\">\(rich(xLabel))</text>\n"
        svg += "<text class=\"ylabel\" transform=\"translate(18,\(n(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(rich(yLabel))</text>\n"
        for (i, band) in bands.enumerated() where band.count > 1 {
            let color = SVGPlot.colors[i % SVGPlot.colors.count]
            let outline = band.map { "\(n(px($0.0))),\(n(py($0.2)))" } + band.reversed().map { "\(n(px($0.0))),\(n(py($0.1)))" }
            svg += "<polygon fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\(outline.joined(separator: " "))\"/>\n"
        }
        for (i, points) in shown.enumerated() {
            let color = SVGPlot.colors[i % SVGPlot.colors.count]
            let path = points.map { "\(n(px($0.0))),\(n(py($0.1)))" }.joined(separator: " ")
            if points.count > 1 {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            }
            if points.count <= 60 {
                for p in points {
                    svg += "<circle cx=\"\(n(px(p.0)))\" cy=\"\(n(py(p.1)))\" r=\"2.5\" fill=\"\(color)\"/>"
                }
                svg += "\n"
            }
            let ly = top + 14 + Double(i) * 18
            let name = SVGPlot.fitted(series[i].name, maxWidth: legendNameWidth, fontSize: f)
            svg += "<line x1=\"\(n(left + plotW + 12))\" y1=\"\(n(ly - 4))\" x2=\"\(n(left + plotW + 32))\" y2=\"\(n(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            svg += "<text class=\"legend\" x=\"\(n(left + plotW + 38))\" y=\"\(n(ly))\">\(escape(name))</text>\n"
        }
        for m in marks {
            guard let v = markValue(m) else { continue }
            let color = SVGPlot.colors[m.series % SVGPlot.colors.count]
            let size = SVGPlot.markSize
            let label = escape(SVGPlot.fitted(m.label, maxWidth: plotW / 3, fontSize: size))
            switch m.axis {
            case .y:
                svg += "<line x1=\"\(n(left))\" y1=\"\(n(py(v)))\" x2=\"\(n(left + plotW))\" y2=\"\(n(py(v)))\" stroke=\"\(color)\" stroke-dasharray=\"5,4\"/>"
                svg += "<text class=\"mark\" x=\"\(n(left + plotW - 4))\" y=\"\(n(max(top + size, py(v) - 3)))\" text-anchor=\"end\" font-size=\"\(Int(size))\" fill=\"\(color)\">\(label)</text>\n"
            case .x:
                let x = px(v), end = x > left + plotW / 2
                svg += "<line x1=\"\(n(x))\" y1=\"\(n(top))\" x2=\"\(n(x))\" y2=\"\(n(top + plotH))\" stroke=\"\(color)\" stroke-dasharray=\"5,4\"/>"
                svg += "<text class=\"mark\" x=\"\(n(end ? x - 3 : x + 3))\" y=\"\(n(top + plotH - 6 - Double(m.series) * 12))\" text-anchor=\"\(end ? "end" : "start")\" font-size=\"\(Int(size))\" fill=\"\(color)\">\(label)</text>\n"
            }
        }
        return svg + "</svg>\n"
    }

    /// A tick: where it goes on the axis (in plotted units) and its label.
    struct Tick: Equatable {
        let value: Double
        let label: String
    }

    /// The smallest step 1, 2 or 5 × 10^m that gives at most seven ticks over `span`.
    static func roundStep(_ span: Double) -> Double {
        let raw = span / 7
        let magnitude = pow(10, floor(log10(raw)))
        return [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-12) } ?? raw
    }

    /// Multiples of a round step covering [lo, hi], labelled with the digits the step needs;
    /// `integer`: a step of at least 1.
    static func linearTicks(_ lo: Double, _ hi: Double, integer: Bool) -> [Tick] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [] }
        let step = integer ? max(1, roundStep(hi - lo)) : roundStep(hi - lo)
        let first = Int((lo / step).rounded(.up)), last = Int((hi / step + 1e-9).rounded(.down))
        guard first <= last else { return [] }
        return (first...last).map { i in Tick(value: Double(i) * step, label: label(Double(i), step: step)) }
    }

    /// i·step written with the decimals the step has: 0.25 for i = 5, step 0.05; 1e+06 past 10^6.
    static func label(_ i: Double, step: Double) -> String {
        let value = i * step
        let e = Int(floor(log10(step) + 1e-9))
        if Swift.abs(value) >= 1e6 || (value != 0 && Swift.abs(value) < 1e-4) {
            let digits = max(1, Int(floor(log10(Swift.abs(value)) + 1e-9)) - e + 1)
            return String(format: "%.\(digits)g", value)
        }
        return String(format: "%.\(max(0, -e))f", value)
    }

    /// Ticks for a log10 axis over exponents [lo, hi]: whole decades (every few) when the range
    /// holds three or more, else the values 1, 2 and 5 × 10^m inside it, else (a range narrower
    /// than that) multiples of a round step in value space.
    static func logTicks(_ lo: Double, _ hi: Double) -> [Tick] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [] }
        let decades = Int(floor(hi + 1e-9)) - Int(ceil(lo - 1e-9)) + 1
        if decades >= 3 {
            let every = max(1, Int((Double(decades) / 7).rounded(.up)))
            return stride(from: Int(ceil(lo - 1e-9)), through: Int(floor(hi + 1e-9)), by: 1)
                .filter { $0 % every == 0 }
                .map { Tick(value: Double($0), label: powerLabel(1, $0)) }
        }
        var ticks: [Tick] = []
        for e in Int(floor(lo)) - 1...Int(ceil(hi)) {
            for c in [1, 2, 5] {
                let v = log10(Double(c)) + Double(e)
                if v >= lo - 1e-9 && v <= hi + 1e-9 { ticks.append(Tick(value: v, label: powerLabel(c, e))) }
            }
        }
        if ticks.count >= 3 { return ticks }
        return linearTicks(pow(10, lo), pow(10, hi), integer: false).compactMap { t in
            t.value > 0 ? Tick(value: log10(t.value), label: t.label) : nil
        }
    }

    /// c × 10^e as plain digits between 0.001 and 10^5 ("0.02", "500"), else "2e-7", "1e12".
    static func powerLabel(_ c: Int, _ e: Int) -> String {
        if (-3...4).contains(e) {
            return e >= 0 ? String(c) + String(repeating: "0", count: e)
                          : "0." + String(repeating: "0", count: -e - 1) + String(c)
        }
        return "\(c)e\(e)"
    }

    private func n(_ x: Double) -> String { String(format: "%.1f", x) }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Escaped text with each `_{…}` as a subscript tspan.
    private func rich(_ s: String) -> String {
        var out = "", rest = Substring(s)
        while let open = rest.range(of: "_{"), let close = rest[open.upperBound...].firstIndex(of: "}") {
            out += escape(String(rest[..<open.lowerBound]))
            out += "<tspan baseline-shift=\"sub\" font-size=\"75%\">\(escape(String(rest[open.upperBound..<close])))</tspan>"
            rest = rest[rest.index(after: close)...]
        }
        return out + escape(String(rest))
    }
}
