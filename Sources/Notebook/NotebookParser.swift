/// Finds the cells of a notebook (see ``Notebook`` for the format).
struct NotebookParser {
    let lines: [String]
    let subcommands: Set<String>

    /// Every cell, in order, or the first problem found.
    func cells() throws(NotebookError) -> [Cell] {
        var cells: [Cell] = []
        var pendingVary: [VaryPattern] = []
        var i = 0
        while i < lines.count {
            if let vary = try VaryPattern.comment(lines[i], line: i + 1) {
                pendingVary.append(vary)
                i += 1
                continue
            }
            guard let fence = Fence.opening(lines[i]) else { i += 1; continue }
            let close = try closingIndex(of: fence, openedAt: i)
            switch try kind(of: fence, at: i) {
            case .prose:
                i = close + 1
            case .output:
                throw NotebookError(line: i + 1, "output block follows no analyze command block")
            case .command(let expectsFailure):
                let (words, commandLine) = try command(in: i + 1..<close, openedAt: i)
                let output = try outputBlock(after: close)
                cells.append(Cell(words: words, commandLine: commandLine, line: i + 1,
                                  expectsFailure: expectsFailure, vary: pendingVary,
                                  output: output, commandCloseIndex: close))
                pendingVary = []
                i = (output?.closeIndex ?? close) + 1
            }
        }
        if let dangling = pendingVary.first {
            throw NotebookError(line: dangling.line, "vary comment is followed by no analyze command block")
        }
        return cells
    }

    /// What a fenced block is, from its info string.
    enum Kind: Equatable {
        case prose, output, command(expectsFailure: Bool)
    }

    func kind(of fence: Fence, at index: Int) throws(NotebookError) -> Kind {
        let words = fence.words
        let isCommand = words.contains("analyze"), isOutput = words.contains("output")
        if isCommand && isOutput {
            throw NotebookError(line: index + 1, "block is marked both analyze and output")
        }
        if isOutput { return .output }
        guard isCommand else { return .prose }
        for option in words.dropFirst() where option != "analyze" && option != "fails" {
            throw NotebookError(line: index + 1, "unknown option `\(option)` on an analyze block (known: fails)")
        }
        return .command(expectsFailure: words.dropFirst().contains("fails"))
    }

    /// The index of the line closing the block opened at `index`.
    func closingIndex(of fence: Fence, openedAt index: Int) throws(NotebookError) -> Int {
        var j = index + 1
        while j < lines.count {
            if fence.isClosed(by: lines[j]) { return j }
            j += 1
        }
        let marks = String(repeating: String(fence.marker), count: fence.length)
        throw NotebookError(line: index + 1, "unterminated \(marks) block: no closing \(marks) before the end of the notebook")
    }

    /// The words of the one command in a command block's content lines.
    func command(in range: Range<Int>, openedAt index: Int) throws(NotebookError) -> ([String], String) {
        var logical: [(line: Int, text: String)] = []
        var current: (line: Int, text: String)?
        for j in range {
            let text = trailingTrimmed(lines[j])
            if var open = current {
                open.text += " " + trimmed(text)
                current = open
            } else if !trimmed(text).isEmpty {
                current = (j + 1, trimmed(text))
            }
            if let open = current, Self.continues(open.text) {
                current = (open.line, String(open.text.dropLast()))
            } else if let open = current {
                logical.append(open)
                current = nil
            }
        }
        if let open = current {
            throw NotebookError(line: open.line, "the command's last line ends with `\\` but nothing follows")
        }
        guard let first = logical.first else {
            throw NotebookError(line: index + 1, "analyze block holds no command")
        }
        guard logical.count == 1 else {
            throw NotebookError(line: logical[1].line, "analyze block holds \(logical.count) commands; put each in its own block")
        }
        let words: [String]
        do {
            words = try commandWords(first.text)
        } catch {
            throw NotebookError(line: first.line, error.message)
        }
        guard let program = words.first else {
            throw NotebookError(line: first.line, "analyze block holds no command, only a comment")
        }
        guard program == "analyze" else {
            throw NotebookError(line: first.line, "command must start with `analyze` (got `\(program)`)")
        }
        guard words.count > 1 else {
            throw NotebookError(line: first.line, "command names no subcommand (known: \(subcommands.sorted().joined(separator: ", ")))")
        }
        guard subcommands.contains(words[1]) else {
            throw NotebookError(line: first.line, "unknown subcommand `\(words[1])` (known: \(subcommands.sorted().joined(separator: ", ")))")
        }
        return (words, first.text)
    }

    /// The output block after the command block closing at `close`, if the next non-blank
    /// line opens one.
    func outputBlock(after close: Int) throws(NotebookError) -> OutputBlock? {
        var j = close + 1
        while j < lines.count, trimmed(lines[j]).isEmpty { j += 1 }
        guard j < lines.count, let fence = Fence.opening(lines[j]), try kind(of: fence, at: j) == .output else {
            return nil
        }
        let end = try closingIndex(of: fence, openedAt: j)
        let content = lines[(j + 1)..<end].map { Self.dropIndent($0, upTo: fence.indent) }
        return OutputBlock(openIndex: j, closeIndex: end, fence: fence, content: content)
    }

    /// `line` without up to `count` leading spaces.
    static func dropIndent(_ line: String, upTo count: Int) -> String {
        let spaces = line.unicodeScalars.prefix(count).prefix(while: { $0 == " " }).count
        return String(Substring(line.unicodeScalars.dropFirst(spaces)))
    }

    /// Whether a command line continues on the next line: it ends in an odd number of
    /// backslashes (an even number is escaped backslashes).
    static func continues(_ text: String) -> Bool {
        text.unicodeScalars.reversed().prefix(while: { $0 == "\\" }).count % 2 == 1
    }
}
