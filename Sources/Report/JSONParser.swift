/// Reading JSON text back into ``JSON``, keeping what rendering needs to reproduce it
/// exactly: key order, and integers apart from doubles (a number with `.`, `e` or `E` is a
/// double). Used to merge outputs written by several runs (`analyze report`).
extension JSON {
    /// Parses `text`; throws a ``JSONParseError`` naming the byte offset of the problem.
    public init(parsing text: String) throws(JSONParseError) {
        var p = JSONTextParser(bytes: Array(text.utf8))
        self = try p.value(depth: 0)
        p.skipSpace()
        guard p.at == p.bytes.count else { throw JSONParseError(offset: p.at, reason: "text after the value") }
    }

    /// The value of `key` in an object (nil for a missing key or a non-object).
    public subscript(key: String) -> JSON? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }
}

/// Why JSON text did not parse, at which byte.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    public let offset: Int
    public let reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

private struct JSONTextParser {
    let bytes: [UInt8]
    var at = 0
    static let maxDepth = 256

    mutating func skipSpace() {
        while at < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[at]) { at += 1 }
    }

    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: at, reason: reason) }

    mutating func value(depth: Int) throws(JSONParseError) -> JSON {
        guard depth < JSONTextParser.maxDepth else { throw fail("nested deeper than \(JSONTextParser.maxDepth)") }
        skipSpace()
        guard at < bytes.count else { throw fail("unexpected end") }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            at += 1
            var pairs: [(String, JSON)] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(pairs) }
            while true {
                skipSpace()
                guard case .string(let key) = try value(depth: depth + 1) else { throw fail("object key is not a string") }
                skipSpace()
                try expect(":")
                pairs.append((key, try value(depth: depth + 1)))
                skipSpace()
                if try endOrComma("}") { return .object(pairs) }
            }
        case UInt8(ascii: "["):
            at += 1
            var items: [JSON] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                if try endOrComma("]") { return .array(items) }
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            return try number()
        }
    }

    mutating func expect(_ c: Character) throws(JSONParseError) {
        guard at < bytes.count, bytes[at] == c.asciiValue! else { throw fail("expected '\(c)'") }
        at += 1
    }

    /// True at `close` (consumed), false after a comma.
    mutating func endOrComma(_ close: Character) throws(JSONParseError) -> Bool {
        guard at < bytes.count else { throw fail("unexpected end") }
        if bytes[at] == close.asciiValue! { at += 1; return true }
        try expect(",")
        return false
    }

    mutating func literal(_ word: String) throws(JSONParseError) {
        let w = Array(word.utf8)
        guard at + w.count <= bytes.count, Array(bytes[at..<(at + w.count)]) == w else { throw fail("expected \(word)") }
        at += w.count
    }

    mutating func number() throws(JSONParseError) -> JSON {
        let start = at
        while at < bytes.count, "+-0123456789.eE".utf8.contains(bytes[at]) { at += 1 }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        if !text.contains(where: { ".eE".contains($0) }), let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { at = start; throw fail("not a value") }
        return .double(d)
    }

    mutating func string() throws(JSONParseError) -> String {
        at += 1
        var out: [UInt8] = []
        while at < bytes.count {
            let c = bytes[at]
            at += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { throw fail("unexpected end") }
                let e = bytes[at]
                at += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard at + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16)
                    else { throw fail("bad \\u escape") }
                    at += 4
                    out += Array(String(Unicode.Scalar(v).map(Character.init) ?? "\u{FFFD}").utf8)
                default: out.append(e)
                }
            default:
                out.append(c)
            }
        }
        throw fail("unterminated string")
    }
}
