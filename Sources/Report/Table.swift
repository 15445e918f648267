import Foundation

/// A table of strings rendered as aligned text, CSV or GitHub markdown.
public struct Table: Sendable {
    public enum Alignment: Sendable { case left, right }

    public var header: [String]
    public var rows: [[String]]
    public var alignments: [Alignment]

    public init(header: [String], rows: [[String]] = [], alignments: [Alignment]? = nil) {
        self.header = header
        self.rows = rows
        self.alignments = alignments ?? header.map { _ in .left }
    }

    public mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "Table row has \(row.count) cells, header has \(header.count)")
        rows.append(row)
    }

    /// Columns padded to their widest cell, two spaces apart, a rule under the header.
    public func text() -> String {
        let widths = header.indices.map { c in
            ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - cells[c].count)
                return alignments[c] == .right ? pad + cells[c] : cells[c] + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// The text table in blocks of columns no wider than `maxWidth` characters (where the columns
    /// allow it), the first `repeatingColumns` columns repeated in every block, blocks a blank line apart.
    public func text(maxWidth: Int, repeatingColumns: Int) -> String {
        let widths = header.indices.map { c in
            ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0
        }
        let fixed = Array(header.indices.prefix(repeatingColumns))
        let base = fixed.reduce(0) { $0 + widths[$1] + 2 }
        var blocks: [[Int]] = []
        var current: [Int] = [], used = base
        for c in header.indices.dropFirst(repeatingColumns) {
            if !current.isEmpty && used + widths[c] > maxWidth {
                blocks.append(current)
                current = []
                used = base
            }
            current.append(c)
            used += widths[c] + 2
        }
        if !current.isEmpty || blocks.isEmpty { blocks.append(current) }
        return blocks.map { block in
            let columns = fixed + block
            return Table(header: columns.map { header[$0] }, rows: rows.map { row in columns.map { row[$0] } },
                         alignments: columns.map { alignments[$0] }).text()
        }.joined(separator: "\n")
    }

    /// RFC 4180 CSV: cells with commas, quotes or newlines are quoted.
    public func csv() -> String {
        func cell(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return ([header] + rows).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// A GitHub-flavoured markdown table.
    public func markdown() -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        let rule = "|" + alignments.map { $0 == .right ? "---:|" : "---|" }.joined()
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
