/// A fenced code block's opening line: up to three spaces of indent, then three or more
/// backticks or tildes, then an info string (CommonMark's rule).
///
/// Works on Unicode scalars so that combining marks after a fence character cannot hide it.
struct Fence: Equatable, Sendable {
    /// "`" or "~".
    let marker: Unicode.Scalar
    /// Number of fence characters, at least 3.
    let length: Int
    /// Spaces before the fence, 0 to 3.
    let indent: Int
    /// The info string, trimmed; empty when there is none.
    let info: String

    /// The info string split into words (`sh analyze fails` → three words).
    var words: [String] { info.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) }

    /// The fence that opens a block on `line`, or nil when the line opens none.
    static func opening(_ line: String) -> Fence? {
        let scalars = Array(line.unicodeScalars)
        var i = 0
        while i < scalars.count, scalars[i] == " " { i += 1 }
        guard i <= 3, i < scalars.count, scalars[i] == "`" || scalars[i] == "~" else { return nil }
        let marker = scalars[i], indent = i
        while i < scalars.count, scalars[i] == marker { i += 1 }
        let length = i - indent
        guard length >= 3 else { return nil }
        var rest = String.UnicodeScalarView()
        rest.append(contentsOf: scalars[i...])
        let info = trimmed(String(rest))
        if marker == "`", info.unicodeScalars.contains("`") { return nil }
        return Fence(marker: marker, length: length, indent: indent, info: info)
    }

    /// Whether `line` closes this block: up to three spaces, at least `length` of the same
    /// fence character, then only spaces, tabs or a carriage return.
    func isClosed(by line: String) -> Bool {
        Fence.closingRun(line, marker: marker) >= length
    }

    /// The number of `marker` characters on `line` if the line is a bare fence of them, else 0.
    static func closingRun(_ line: String, marker: Unicode.Scalar) -> Int {
        let scalars = Array(line.unicodeScalars)
        var i = 0
        while i < scalars.count, scalars[i] == " " { i += 1 }
        guard i <= 3 else { return 0 }
        let start = i
        while i < scalars.count, scalars[i] == marker { i += 1 }
        let run = i - start
        guard run >= 3, scalars[i...].allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) else { return 0 }
        return run
    }

    /// The opening line for a block with this fence's indent, marker and info and `length` markers.
    func openingLine(length: Int) -> String {
        String(repeating: " ", count: indent) + String(repeating: String(marker), count: length)
            + (info.isEmpty ? "" : info)
    }

    /// The closing line for a block with this fence's indent and marker and `length` markers.
    func closingLine(length: Int) -> String {
        String(repeating: " ", count: indent) + String(repeating: String(marker), count: length)
    }
}

/// `text` without leading and trailing spaces, tabs and carriage returns.
func trimmed(_ text: String) -> String {
    let scalars = Array(text.unicodeScalars)
    let blank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
    guard let first = scalars.firstIndex(where: { !blank($0) }),
          let last = scalars.lastIndex(where: { !blank($0) }) else { return "" }
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars[first...last])
    return String(view)
}

/// `text` without trailing spaces, tabs and carriage returns.
func trailingTrimmed(_ text: String) -> String {
    let scalars = Array(text.unicodeScalars)
    guard let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" }) else { return "" }
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars[...last])
    return String(view)
}
