import Foundation
import Report

/// A small scan of an SVG plot written by ``SVGPlot``: its text elements, where they lie, and
/// whether the tick labels are round numbers.
public struct SVGCheck {
    public struct Text {
        public let attributes: [String: String]
        /// The text with any tspan tags removed.
        public let content: String
    }

    public let width: Double
    public let height: Double
    public let texts: [Text]

    public init(_ svg: String) {
        func attributes(_ s: String) -> [String: String] {
            let pattern = try! NSRegularExpression(pattern: #"([\w-]+)="([^"]*)""#)
            var out: [String: String] = [:]
            for m in pattern.matches(in: s, range: NSRange(s.startIndex..., in: s)) {
                out[String(s[Range(m.range(at: 1), in: s)!])] = String(s[Range(m.range(at: 2), in: s)!])
            }
            return out
        }
        let root = svg.range(of: "<svg ").map { attributes(String(svg[$0.upperBound...].prefix { $0 != ">" })) } ?? [:]
        width = Double(root["width"] ?? "") ?? 0
        height = Double(root["height"] ?? "") ?? 0
        let textPattern = try! NSRegularExpression(pattern: #"<text ([^>]*)>(.*?)</text>"#)
        let tag = try! NSRegularExpression(pattern: "<[^>]*>")
        texts = textPattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { m in
            let inner = String(svg[Range(m.range(at: 2), in: svg)!])
            let plain = tag.stringByReplacingMatches(in: inner, range: NSRange(inner.startIndex..., in: inner), withTemplate: "")
            return Text(attributes: attributes(String(svg[Range(m.range(at: 1), in: svg)!])),
                        content: plain.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                            .replacingOccurrences(of: "&amp;", with: "&"))
        }
    }

    /// Texts whose box (width from ``SVGPlot/textWidth(_:fontSize:)``, height one em) leaves the
    /// canvas, each described.
    public func textsOutsideCanvas() -> [String] {
        texts.compactMap { t in
            let size = Double(t.attributes["font-size"] ?? "") ?? 12
            let w = SVGPlot.textWidth(t.content, fontSize: size)
            var (x, y) = (Double(t.attributes["x"] ?? "") ?? 0, Double(t.attributes["y"] ?? "") ?? 0)
            var rotated = false
            if let transform = t.attributes["transform"], transform.hasPrefix("translate(") {
                let numbers = transform.dropFirst("translate(".count).prefix { $0 != ")" }.split(separator: ",").compactMap { Double($0) }
                if numbers.count == 2 { (x, y) = (numbers[0], numbers[1]) }
                rotated = transform.contains("rotate(-90)")
            }
            let anchor = t.attributes["text-anchor"] ?? "start"
            let along = anchor == "middle" ? (-w / 2, w / 2) : anchor == "end" ? (-w, 0) : (0, w)
            let box = rotated ? (x0: x - size, x1: x + 0.25 * size, y0: y - along.1, y1: y - along.0)
                              : (x0: x + along.0, x1: x + along.1, y0: y - size, y1: y + 0.25 * size)
            let inside = box.x0 >= 0 && box.x1 <= width && box.y0 >= 0 && box.y1 <= height
            return inside ? nil : "'\(t.content)' spans x \(Int(box.x0))…\(Int(box.x1)), y \(Int(box.y0))…\(Int(box.y1))"
        }
    }

    /// The labels of the texts of one class ("xtick", "ytick").
    public func labels(_ cls: String) -> [String] {
        texts.filter { $0.attributes["class"] == cls }.map(\.content)
    }

    /// Whether `labels` are round: each a number, and either all of the form c × 10^m with c in
    /// {1, 2, 5}, or equally spaced multiples of such a step.
    public static func areRound(_ labels: [String]) -> Bool {
        let values = labels.compactMap { Double($0) }
        guard values.count == labels.count, !values.isEmpty else { return false }
        func isOneTwoFive(_ v: Double) -> Bool {
            let a = Swift.abs(v)
            guard a > 0 else { return false }
            let mantissa = a / pow(10, floor(log10(a) + 1e-12))
            return [1.0, 2, 5, 10].contains { Swift.abs(mantissa - $0) < 1e-9 }
        }
        if values.allSatisfy(isOneTwoFive) { return true }
        guard values.count >= 2 else { return false }
        let step = values[1] - values[0]
        guard isOneTwoFive(step) else { return false }
        return zip(values, values.dropFirst()).allSatisfy { Swift.abs(($1 - $0) - step) <= 1e-9 * Swift.abs(step) }
            && values.allSatisfy { v in Swift.abs(v / step - (v / step).rounded()) < 1e-6 }
    }
}
