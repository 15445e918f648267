import Foundation
import MoE

/// The top-level object of a JSON file (`config.json`, the shard index), read with the
/// project's own parser so that booleans, integers and nulls keep their kinds. A key
/// whose value is `null` counts as absent.
struct ModelJSONObject {
    let path: String
    let pairs: [(key: String, value: HeaderJSON)]

    /// Reads and parses `path` through `open`; files above `maxBytes` (by their size, before
    /// any byte is read) are refused, as are FIFOs, devices and directories (``FileByteSource``).
    init(path: String, open: ByteSourceOpener = ModelLayout.openFile, maxBytes: Int = 64 << 20) throws(ModelLayoutError) {
        let bytes: [UInt8]
        do { bytes = try open(path).readAll(limit: maxBytes) } catch { throw .file(error) }
        let value: HeaderJSON
        do {
            value = try HeaderJSONParser.parse(bytes, base: 0)
        } catch {
            if case let .invalidJSON(offset, reason) = error {
                throw .invalidConfig(path: path, reason: "not valid JSON at byte offset \(offset): \(reason)")
            }
            throw .invalidConfig(path: path, reason: "\(error)")
        }
        guard case .object(let pairs) = value else { throw .invalidConfig(path: path, reason: "is \(value.kind), not a JSON object") }
        self.path = path
        self.pairs = pairs
    }

    /// An object already parsed (a nested one: `quantization_config`).
    init(path: String, pairs: [(key: String, value: HeaderJSON)]) {
        self.path = path
        self.pairs = pairs
    }

    /// A nested object, or nil when absent; its keys are named `key.inner` in errors.
    func optionalObject(_ key: String) throws(ModelLayoutError) -> ModelJSONObject? {
        guard let value = self[key] else { return nil }
        guard case .object(let inner) = value else { throw malformed(key, value, "an object") }
        return ModelJSONObject(path: "\(path) (\(key))", pairs: inner)
    }

    /// The value of `key` (the last one when repeated), nil when absent or null.
    subscript(key: String) -> HeaderJSON? {
        guard let value = pairs.last(where: { $0.key == key })?.value else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// The keys present with a non-null value, sorted.
    var keys: [String] { Set(pairs.filter { if case .null = $0.value { return false } else { return true } }.map(\.key)).sorted() }

    /// Short text of a value for error messages.
    static func text(_ value: HeaderJSON) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return "\"\(s)\""
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    func malformed(_ key: String, _ value: HeaderJSON, _ expected: String) -> ModelLayoutError {
        .malformedConfigKey(path: path, key: key, value: ModelJSONObject.text(value), expected: expected)
    }

    /// A non-negative integer (written without a fraction or exponent), or nil when absent.
    func optionalInt(_ key: String) throws(ModelLayoutError) -> Int? {
        guard let value = self[key] else { return nil }
        guard let n = value.nonNegativeInt, n <= LayerConfig.metadataLimit else {
            throw malformed(key, value, "an integer from 0 to \(LayerConfig.metadataLimit)")
        }
        return n
    }

    /// A boolean, or nil when absent.
    func optionalBool(_ key: String) throws(ModelLayoutError) -> Bool? {
        guard let value = self[key] else { return nil }
        guard case .bool(let b) = value else { throw malformed(key, value, "true or false") }
        return b
    }

    /// A finite number, or nil when absent.
    func optionalDouble(_ key: String) throws(ModelLayoutError) -> Double? {
        guard let value = self[key] else { return nil }
        guard case .number(let text) = value, let x = Double(text), x.isFinite else {
            throw malformed(key, value, "a finite number")
        }
        return x
    }

    /// A string, or nil when absent.
    func optionalString(_ key: String) throws(ModelLayoutError) -> String? {
        guard let value = self[key] else { return nil }
        guard case .string(let s) = value else { throw malformed(key, value, "a string") }
        return s
    }

    /// An array of non-negative integers, or nil when absent.
    func optionalInts(_ key: String) throws(ModelLayoutError) -> [Int]? {
        guard let value = self[key] else { return nil }
        guard case .array(let items) = value else { throw malformed(key, value, "an array of integers") }
        var out: [Int] = []
        for item in items {
            guard let n = item.nonNegativeInt else { throw malformed(key, value, "an array of non-negative integers") }
            out.append(n)
        }
        return out
    }
}
