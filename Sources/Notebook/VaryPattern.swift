import Foundation

/// A regular expression whose matches in an output block are allowed to vary between runs
/// (timings, throughput), declared in the notebook as `<!-- vary: REGEX -->` before an
/// `analyze` block.
///
/// Matching is per output line (ICU syntax, as `NSRegularExpression`); every match is replaced
/// by `…` in both the committed and the fresh output before they are compared.
public struct VaryPattern: Sendable, Equatable {
    /// The pattern as written in the notebook.
    public let pattern: String
    /// The 1-based line of the comment that declared it.
    public let line: Int
    let regex: NSRegularExpression

    /// Compiles `pattern`; an invalid or empty pattern is an error at `line`.
    public init(_ pattern: String, line: Int) throws(NotebookError) {
        guard !pattern.isEmpty else { throw NotebookError(line: line, "empty vary pattern") }
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw NotebookError(line: line, "invalid vary pattern `\(pattern)` (ICU regular expression syntax)")
        }
        self.pattern = pattern
        self.line = line
    }

    /// `line` with every match replaced by `…`.
    public func mask(_ line: String) -> String {
        let range = NSRange(line.startIndex..<line.endIndex, in: line)
        return regex.stringByReplacingMatches(in: line, range: range, withTemplate: "…")
    }

    public static func == (a: VaryPattern, b: VaryPattern) -> Bool {
        a.pattern == b.pattern && a.line == b.line
    }
}

extension VaryPattern {
    /// The pattern in a `<!-- vary: REGEX -->` line, nil when `line` is no vary comment.
    /// A line that starts such a comment without closing it on the same line is an error.
    static func comment(_ text: String, line: Int) throws(NotebookError) -> VaryPattern? {
        let body = trimmed(text)
        guard body.hasPrefix("<!--") else { return nil }
        let inner = trimmed(String(body.dropFirst(4)))
        guard inner.hasPrefix("vary:") else { return nil }
        guard inner.hasSuffix("-->") else {
            throw NotebookError(line: line, "vary comment does not end with --> on the same line")
        }
        let pattern = trimmed(String(inner.dropFirst(5).dropLast(3)))
        return try VaryPattern(pattern, line: line)
    }
}
