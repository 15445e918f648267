import Report

/// Reading JSON text back into ``JSON`` (to merge outputs written by several runs,
/// `analyze report`) with the one JSON parser of the project, the safetensors header's
/// (``HeaderJSONParser``: nesting and value limits, byte offsets in errors). What rendering
/// needs to reproduce the text is kept: key order, and integers apart from doubles (a number
/// with `.`, `e` or `E` is a double).
extension JSON {
    /// Parses `text`; errors name the byte offset of the problem.
    public init(parsing text: String) throws(CheckpointError) {
        self.init(try HeaderJSONParser.parse(Array(text.utf8), base: 0))
    }

    init(_ value: HeaderJSON) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let text):
            if !text.contains(where: { ".eE".contains($0) }), let i = Int(text) {
                self = .int(i)
            } else {
                self = .double(Double(text) ?? .nan)
            }
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(JSON.init))
        case .object(let pairs): self = .object(pairs.map { ($0.key, JSON($0.value)) })
        }
    }
}
