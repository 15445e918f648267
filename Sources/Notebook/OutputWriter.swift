/// Writes output blocks: the fence is kept when the content allows, lengthened when a content
/// line would otherwise close it.
enum OutputWriter {
    /// The info string of an inserted output block.
    static let info = "text output"

    /// The lines of `block` holding `content` instead (the original lines when unchanged).
    static func block(_ content: [String], replacing block: OutputBlock, original: [String]) -> [String] {
        if content == block.content { return Array(original[block.openIndex...block.closeIndex]) }
        let fence = block.fence
        let needed = fenceLength(for: content, marker: fence.marker)
        let indent = String(repeating: " ", count: fence.indent)
        let body = content.map { $0.isEmpty ? $0 : indent + $0 }
        if needed <= fence.length {
            return [original[block.openIndex]] + body + [original[block.closeIndex]]
        }
        return [fence.openingLine(length: needed)] + body + [fence.closingLine(length: needed)]
    }

    /// A new output block holding `content`.
    static func newBlock(_ content: [String]) -> [String] {
        let length = fenceLength(for: content, marker: "`")
        let fence = String(repeating: "`", count: length)
        return [fence + info] + content + [fence]
    }

    /// The shortest fence (at least 3) that no line of `content` closes.
    static func fenceLength(for content: [String], marker: Unicode.Scalar) -> Int {
        max(3, (content.map { Fence.closingRun($0, marker: marker) }.max() ?? 0) + 1)
    }
}
