import Foundation

/// A small SVG line plot: several named series of (x, y) points, each with an optional shaded
/// band, optional log10 y axis, axes with tick labels, and a legend. Enough for curves of counts, spectra and losses.
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

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Plot log10(y); points with y ≤ 0 are dropped.
    public var logY: Bool
    public var width = 720.0
    public var height = 440.0

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logY: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logY = logY
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// The SVG document.
    public func render() -> String {
        let left = 78.0, right = 170.0, top = 40.0, bottom = 56.0
        let plotW = width - left - right, plotH = height - top - bottom
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
        let all = shown.flatMap { $0 } + bands.flatMap { $0.flatMap { [($0.0, $0.1), ($0.0, $0.2)] } }
        var (x0, x1) = (all.map(\.0).min() ?? 0, all.map(\.0).max() ?? 1)
        var (y0, y1) = (all.map(\.1).min() ?? 0, all.map(\.1).max() ?? 1)
        if x1 <= x0 { x0 -= 0.5; x1 += 0.5 }
        if y1 <= y0 { y0 -= 0.5; y1 += 0.5 }
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * plotH }

        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
        viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>
        <rect x="\(f(left))" y="\(f(top))" width="\(f(plotW))" height="\(f(plotH))" fill="none" stroke="#444"/>

        """
        for t in SVGPlot.ticks(x0, x1) {
            svg += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top + plotH))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH + 5))\" stroke=\"#444\"/>"
            svg += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(SVGPlot.label(t))</text>\n"
        }
        for t in logY ? SVGPlot.logTicks(y0, y1) : SVGPlot.ticks(y0, y1) {
            let text = logY ? (t == t.rounded() ? "1e\(Int(t))" : Numbers.short(pow(10, t))) : SVGPlot.label(t)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(t)))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(text)</text>\n"
        }
        svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 14))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(18,\(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        for (i, band) in bands.enumerated() where band.count > 1 {
            let color = SVGPlot.colors[i % SVGPlot.colors.count]
            let outline = band.map { "\(f(px($0.0))),\(f(py($0.2)))" } + band.reversed().map { "\(f(px($0.0))),\(f(py($0.1)))" }
            svg += "<polygon fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\(outline.joined(separator: " "))\"/>\n"
        }
        for (i, points) in shown.enumerated() {
            let color = SVGPlot.colors[i % SVGPlot.colors.count]
            let path = points.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
            if points.count > 1 {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            }
            if points.count <= 60 {
                for p in points {
                    svg += "<circle cx=\"\(f(px(p.0)))\" cy=\"\(f(py(p.1)))\" r=\"2.5\" fill=\"\(color)\"/>"
                }
                svg += "\n"
            }
            let ly = top + 14 + Double(i) * 18
            svg += "<line x1=\"\(f(left + plotW + 12))\" y1=\"\(f(ly - 4))\" x2=\"\(f(left + plotW + 32))\" y2=\"\(f(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(f(left + plotW + 38))\" y=\"\(f(ly))\">\(escape(series[i].name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// About six round tick positions covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let raw = (hi - lo) / 6
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var t = ceil(lo / step) * step, out: [Double] = []
        while t <= hi + step * 1e-9 { out.append(t); t += step }
        return out
    }

    /// Ticks for a log10 axis: whole decades when the range holds at least one,
    /// otherwise the linear ticks of the exponent (labelled by their value).
    static func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        guard floor(hi) >= ceil(lo) else { return ticks(lo, hi) }
        let step = max(1, ceil((hi - lo) / 6))
        return stride(from: ceil(lo / step) * step, through: hi, by: step).map { $0 }
    }

    static func label(_ t: Double) -> String {
        t == t.rounded() && Swift.abs(t) < 1e9 ? String(Int(t)) : Numbers.short(t)
    }

    private func f(_ x: Double) -> String { String(format: "%.1f", x) }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
