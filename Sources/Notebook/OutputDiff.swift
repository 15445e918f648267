/// The difference between a committed output block and a fresh one, line by line.
///
/// Lines are compared after masking ``VaryPattern`` matches and dropping trailing whitespace;
/// when there are vary patterns, runs of spaces and tabs also count as one space, because a
/// varying value of another width shifts the columns of a table. The diff shows the lines as
/// they are.
public struct OutputDiff: Sendable, Equatable {
    /// One line of the edit script.
    public enum Line: Sendable, Equatable {
        case same(String), removed(String), added(String)
    }

    /// The edit script from the committed lines to the fresh ones.
    public let script: [Line]

    /// The diff, or nil when the outputs agree up to the vary patterns; throws when the
    /// patterns spend more than `budget` (an error at the pattern's line).
    public static func compare(committed: [String], fresh: [String], vary: [VaryPattern],
                               budget: MatchBudget = MatchBudget(seconds: 2)) throws(NotebookError) -> OutputDiff? {
        func key(_ line: String) throws(NotebookError) -> String {
            var masked = line
            for pattern in vary { masked = try pattern.mask(masked, budget: budget) }
            masked = trailingTrimmed(masked)
            return vary.isEmpty ? masked : collapsingSpaces(masked)
        }
        var a: [String] = [], b: [String] = []
        for line in committed { a.append(try key(line)) }
        for line in fresh { b.append(try key(line)) }
        if a == b { return nil }
        let script = editScript(a.count, b.count, equal: { a[$0] == b[$1] })
        return OutputDiff(script: script.map {
            switch $0 {
            case .same(let i, _): return .same(committed[i])
            case .removed(let i): return .removed(committed[i])
            case .added(let j): return .added(fresh[j])
            }
        })
    }

    /// A unified-style diff: hunks with `context` lines around each change, headed
    /// `@@ -a,b +c,d @@`, each line numbered as a notebook line, the block's first line
    /// being `firstLine`.
    public func unified(firstLine: Int, context: Int = 3) -> String {
        var old = firstLine, new = firstLine
        var numbered: [(line: Line, old: Int, new: Int)] = []
        for line in script {
            numbered.append((line, old, new))
            switch line {
            case .same: old += 1; new += 1
            case .removed: old += 1
            case .added: new += 1
            }
        }
        let changed = numbered.indices.filter { if case .same = numbered[$0].line { false } else { true } }
        var hunks: [ClosedRange<Int>] = []
        for i in changed {
            let range = max(0, i - context)...min(numbered.count - 1, i + context)
            if let last = hunks.last, range.lowerBound <= last.upperBound + 1 {
                hunks[hunks.count - 1] = last.lowerBound...range.upperBound
            } else {
                hunks.append(range)
            }
        }
        let width = String(max(old, new)).count
        func pad(_ n: Int) -> String { String(repeating: " ", count: width - String(n).count) + String(n) }
        var out: [String] = []
        for hunk in hunks {
            let rows = numbered[hunk]
            let oldCount = rows.filter { if case .added = $0.line { false } else { true } }.count
            let newCount = rows.filter { if case .removed = $0.line { false } else { true } }.count
            out.append("@@ -\(rows.first!.old),\(oldCount) +\(rows.first!.new),\(newCount) @@")
            for row in rows {
                switch row.line {
                case .same(let s): out.append("  \(pad(row.old)) | \(s)")
                case .removed(let s): out.append("- \(pad(row.old)) | \(s)")
                case .added(let s): out.append("+ \(pad(row.new)) | \(s)")
                }
            }
        }
        return out.joined(separator: "\n")
    }

    enum Step: Equatable { case same(Int, Int), removed(Int), added(Int) }

    /// A shortest edit script between sequences of `n` and `m` items by longest common
    /// subsequence, after trimming the common prefix and suffix. Past `limit` table cells the
    /// middle is reported as removed then added, so huge inputs stay cheap.
    static func editScript(_ n: Int, _ m: Int, equal: (Int, Int) -> Bool, limit: Int = 4_000_000) -> [Step] {
        var prefix = 0
        while prefix < n, prefix < m, equal(prefix, prefix) { prefix += 1 }
        var suffix = 0
        while suffix < n - prefix, suffix < m - prefix, equal(n - 1 - suffix, m - 1 - suffix) { suffix += 1 }
        let rows = n - prefix - suffix, cols = m - prefix - suffix
        var middle: [Step] = []
        if rows.multipliedReportingOverflow(by: cols).partialValue > limit || rows == 0 || cols == 0 {
            middle = (0..<rows).map { .removed(prefix + $0) } + (0..<cols).map { .added(prefix + $0) }
        } else {
            // lcs[i][j]: longest common subsequence of the middles from row i and column j on.
            var lcs = [[Int]](repeating: [Int](repeating: 0, count: cols + 1), count: rows + 1)
            for i in stride(from: rows - 1, through: 0, by: -1) {
                for j in stride(from: cols - 1, through: 0, by: -1) {
                    lcs[i][j] = equal(prefix + i, prefix + j) ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
                }
            }
            var i = 0, j = 0
            while i < rows || j < cols {
                if i < rows, j < cols, equal(prefix + i, prefix + j) {
                    middle.append(.same(prefix + i, prefix + j)); i += 1; j += 1
                } else if i < rows, j == cols || lcs[i + 1][j] >= lcs[i][j + 1] {
                    middle.append(.removed(prefix + i)); i += 1
                } else {
                    middle.append(.added(prefix + j)); j += 1
                }
            }
        }
        return (0..<prefix).map { .same($0, $0) } + middle
            + (0..<suffix).map { .same(n - suffix + $0, m - suffix + $0) }
    }
}

/// `text` with every run of spaces and tabs replaced by one space.
func collapsingSpaces(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    var inRun = false
    for c in text.unicodeScalars {
        let blank = c == " " || c == "\t"
        if !blank || !inRun { out.append(blank ? " " : c) }
        inRun = blank
    }
    return String(out)
}
