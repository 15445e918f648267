/// Splits a command line into words the way a POSIX shell would for a plain command:
/// spaces separate words, `'…'` is literal, `"…"` allows `\"`, `\\`, `\$` and `` \` ``, and a
/// backslash outside quotes escapes the next character. A `#` that starts a word starts a comment.
///
/// Shell operators (`| ; & < > $ \`` and parentheses) outside quotes are rejected: a notebook
/// cell runs one `analyze` command, with no shell in between.
///
/// ```
/// try commandWords("analyze rank --target 'b*a'")  // ["analyze", "rank", "--target", "b*a"]
/// ```
func commandWords(_ line: String) throws(CommandWordsError) -> [String] {
    var words: [String] = []
    var word = String.UnicodeScalarView()
    var inWord = false
    var scalars = line.unicodeScalars.makeIterator()
    func flush() {
        if inWord { words.append(String(word)) }
        word = String.UnicodeScalarView()
        inWord = false
    }
    while let c = scalars.next() {
        switch c {
        case " ", "\t", "\r":
            flush()
        case "#" where !inWord:
            return words
        case "'":
            inWord = true
            while true {
                guard let d = scalars.next() else { throw .unterminatedQuote("'") }
                if d == "'" { break }
                word.append(d)
            }
        case "\"":
            inWord = true
            while true {
                guard let d = scalars.next() else { throw .unterminatedQuote("\"") }
                if d == "\"" { break }
                if d == "\\" {
                    guard let e = scalars.next() else { throw .unterminatedQuote("\"") }
                    if !["\"", "\\", "$", "`"].contains(e) { word.append(d) }
                    word.append(e)
                } else if d == "$" || d == "`" {
                    throw .shellSyntax(String(d))
                } else {
                    word.append(d)
                }
            }
        case "\\":
            guard let d = scalars.next() else { throw .trailingBackslash }
            inWord = true
            word.append(d)
        case "|", ";", "&", "<", ">", "$", "`", "(", ")":
            throw .shellSyntax(String(c))
        default:
            inWord = true
            word.append(c)
        }
    }
    flush()
    return words
}

/// Why a command line could not be split into words.
enum CommandWordsError: Error, Equatable {
    case unterminatedQuote(String)
    case trailingBackslash
    case shellSyntax(String)

    var message: String {
        switch self {
        case .unterminatedQuote(let q): return "unterminated \(q) quote in the command"
        case .trailingBackslash: return "the command ends with a lone backslash"
        case .shellSyntax(let s):
            return "shell syntax `\(s)` is not supported: a cell runs one analyze command, with no shell (quote the character to pass it on)"
        }
    }
}
