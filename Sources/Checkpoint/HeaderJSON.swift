/// A parsed JSON value that keeps object key order and number text, as a
/// safetensors header needs: tensors in file order, duplicate keys detected,
/// offsets parsed exactly as integers.
indirect enum HeaderJSON {
    case null
    case bool(Bool)
    /// The number's text as written (validated against the JSON grammar).
    case number(String)
    case string(String)
    case array([HeaderJSON])
    case object([(key: String, value: HeaderJSON)])

    /// The value as a non-negative integer that fits in `Int`, or nil.
    var nonNegativeInt: Int? {
        guard case .number(let text) = self, text.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(text)
    }

    /// A short name of the value's kind, for error messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// A recursive-descent JSON parser over bytes with a nesting limit, so no
/// input can exhaust the stack, and a limit on the number of values, so no input
/// can build an unbounded tree. Errors carry the byte offset (from `base`).
struct HeaderJSONParser {
    /// Deeper nesting than this is rejected (a safetensors header needs 3).
    static let maxDepth = 64
    /// More values than this (objects, arrays, strings, numbers, literals, each
    /// counted once) are rejected: a rank-2 tensor entry takes 8, so this admits just
    /// under 500,000 tensors, while a 100 MB header of tiny entries, one-element shapes
    /// or metadata keys would otherwise build a tree of gigabytes.
    static let maxValues = 4_000_000

    private let bytes: [UInt8]
    private let base: Int
    private let maxValues: Int
    private var position = 0
    private var valueCount = 0

    /// Parses `bytes` as one JSON value followed only by whitespace;
    /// `base` is added to offsets in errors (8 for a safetensors header); more than
    /// `maxValues` values throw ``CheckpointError/tooManyJSONValues(offset:limit:)``.
    static func parse(_ bytes: [UInt8], base: Int, maxValues: Int = HeaderJSONParser.maxValues)
        throws(CheckpointError) -> HeaderJSON {
        var parser = HeaderJSONParser(bytes: bytes, base: base, maxValues: maxValues)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: [UInt8], base: Int, maxValues: Int) {
        self.bytes = bytes
        self.base = base
        self.maxValues = maxValues
    }

    private func error(_ reason: String) -> CheckpointError {
        .invalidJSON(offset: base + position, reason: reason)
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d { position += 1 }
    }

    private mutating func expect(_ c: UInt8, _ what: String) throws(CheckpointError) {
        guard current == c else { throw error("expected \(what)") }
        position += 1
    }

    private mutating func value(depth: Int) throws(CheckpointError) -> HeaderJSON {
        guard depth < HeaderJSONParser.maxDepth else { throw error("nesting deeper than \(HeaderJSONParser.maxDepth)") }
        guard let c = current else { throw error("unexpected end of header") }
        valueCount += 1
        guard valueCount <= maxValues else { throw .tooManyJSONValues(offset: base + position, limit: maxValues) }
        switch c {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character")
        }
    }

    private mutating func literal(_ word: String) throws(CheckpointError) {
        for c in word.utf8 {
            guard current == c else { throw error("invalid literal, expected \(word)") }
            position += 1
        }
    }

    private mutating func object(depth: Int) throws(CheckpointError) -> HeaderJSON {
        position += 1
        var pairs: [(key: String, value: HeaderJSON)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return .object(pairs) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after a key")
            skipWhitespace()
            pairs.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "}"), "',' or '}' in an object")
            return .object(pairs)
        }
    }

    private mutating func array(depth: Int) throws(CheckpointError) -> HeaderJSON {
        position += 1
        var items: [HeaderJSON] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "]"), "',' or ']' in an array")
            return .array(items)
        }
    }

    private mutating func digits() -> Int {
        let start = position
        while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { position += 1 }
        return position - start
    }

    private mutating func number() throws(CheckpointError) -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else if digits() == 0 {
            throw error("invalid number")
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("invalid number: no digits after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("invalid number: no digits in the exponent") }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func hex4() throws(CheckpointError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current else { throw error("unexpected end in a \\u escape") }
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in a \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private mutating func string() throws(CheckpointError) -> String {
        let start = position
        position += 1
        var out: [UInt8] = []
        while true {
            guard let c = current else { throw error("unterminated string starting at byte offset \(base + start)") }
            position += 1
            switch c {
            case UInt8(ascii: "\""):
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw CheckpointError.invalidJSON(offset: base + start, reason: "string is not valid UTF-8")
                }
                return s
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            case 0..<0x20:
                position -= 1
                throw error("control character in a string")
            default:
                out.append(c)
            }
        }
    }

    private mutating func escape(into out: inout [UInt8]) throws(CheckpointError) {
        guard let c = current else { throw error("unexpected end in an escape") }
        position += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xd800..<0xdc00).contains(scalar) {
                guard current == UInt8(ascii: "\\") else { throw error("unpaired surrogate in a \\u escape") }
                position += 1
                guard current == UInt8(ascii: "u") else { throw error("unpaired surrogate in a \\u escape") }
                position += 1
                let low = try hex4()
                guard (0xdc00..<0xe000).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
                scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("unpaired surrogate in a \\u escape") }
            out.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            position -= 1
            throw error("invalid escape")
        }
    }
}
