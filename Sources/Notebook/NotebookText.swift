import Foundation

/// A notebook file's bytes as text for the parser, remembering what a rewrite must keep: a
/// UTF-8 byte order mark and CRLF line endings.
public struct NotebookText: Sendable, Equatable {
    /// The text, without the mark and with `\n` line endings when the file used CRLF throughout.
    public let text: String
    /// Whether the file starts with a UTF-8 byte order mark.
    public let byteOrderMark: Bool
    /// Whether every line of the file ends in CRLF.
    public let crlf: Bool

    static let mark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Decodes `data`; nil when it is not UTF-8.
    public init?(_ data: Data) {
        var bytes = [UInt8](data)
        byteOrderMark = bytes.starts(with: NotebookText.mark)
        if byteOrderMark { bytes.removeFirst(3) }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { return nil }
        let newlines = bytes.filter { $0 == UInt8(ascii: "\n") }.count
        crlf = newlines > 0 && decoded.components(separatedBy: "\r\n").count - 1 == newlines
        text = crlf ? decoded.replacingOccurrences(of: "\r\n", with: "\n") : decoded
    }

    /// The bytes of `text` (a rendering of this notebook) in the file's encoding.
    public func encoded(_ text: String) -> Data {
        let body = crlf ? text.replacingOccurrences(of: "\n", with: "\r\n") : text
        return Data((byteOrderMark ? NotebookText.mark : []) + Array(body.utf8))
    }
}
