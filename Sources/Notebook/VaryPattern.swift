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

    /// `line` with every match replaced by `…`, charging the time spent matching to `budget`.
    ///
    /// ICU backtracks, so a pattern like `(a|a)*b` takes exponential time on a long run of `a`;
    /// matching stops when the budget is spent and the pattern is reported at its line.
    public func mask(_ line: String, budget: MatchBudget) throws(NotebookError) -> String {
        let text = line as NSString
        let start = Date()
        var ranges: [NSRange] = []
        var exhausted = false
        regex.enumerateMatches(in: line, options: [.reportProgress], range: NSRange(location: 0, length: text.length)) { match, _, stop in
            if let match { ranges.append(match.range) }
            if budget.remaining - Date().timeIntervalSince(start) <= 0 {
                exhausted = true
                stop.pointee = true
            }
        }
        budget.spend(Date().timeIntervalSince(start))
        if exhausted {
            throw NotebookError(line: self.line, "vary pattern `\(pattern)` used up the \(budget.seconds) s matching budget "
                + "(on an output line of \(text.length) characters); nested repetition like (a|a)* backtracks "
                + "exponentially, so write the pattern without it")
        }
        let masked = NSMutableString(string: line)
        for range in ranges.reversed() { masked.replaceCharacters(in: range, with: "…") }
        return masked as String
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
