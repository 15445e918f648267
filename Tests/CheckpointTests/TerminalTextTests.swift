import Foundation
import Testing
@testable import Checkpoint

/// Text from files reaches messages with its control characters escaped.
@Suite struct TerminalTextTests {
    static let hostile = "w\u{1b}[31mred\rover\u{9b}2J"

    /// Every C0, DEL and C1 control becomes \u{XX}; other text, backslashes included, stays;
    /// escaping twice changes nothing.
    @Test func escapesControlsOnly() {
        #expect(TerminalText.escaped(TerminalTextTests.hostile) == #"w\u{1B}[31mred\u{D}over\u{9B}2J"#)
        #expect(TerminalText.escaped("tab\there\nnul\u{0}del\u{7f}") == #"tab\u{9}here\u{A}nul\u{0}del\u{7F}"#)
        #expect(TerminalText.escaped(#"a\b é 漢 😀"#) == #"a\b é 漢 😀"#)
        let once = TerminalText.escaped(TerminalTextTests.hostile)
        #expect(TerminalText.escaped(once) == once)
    }

    /// A tensor named with ESC [31m and \r, read as the wrong type or looked up in a model
    /// directory: the message names it, escaped.
    @Test func fileTextInErrorsIsEscaped() throws {
        let name = TerminalTextTests.hostile
        var w = SafeTensorsWriter(metadata: ["k\u{1b}]0;title\u{7}": "v"])
        try w.add(name, shape: [1], int64s: [1])
        let file = try SafeTensorsFile(data: w.data())
        #expect(file.names == [name])
        var message = ""
        do { _ = try file.doubles(name) } catch { message = "\(error)" }
        #expect(message == #"tensor 'w\u{1B}[31mred\u{D}over\u{9B}2J' of dtype I64 cannot be read as Double"#)

        let dir = try sparseModel(config: mixtralConfig(d: 4, ff: 2, experts: 2),
                                  tensors: [(#"model.layers.0.w\u001b[31mred\rover\u009b2J"#, "F32", [1])])   // JSON escapes
        defer { try? FileManager.default.removeItem(at: dir) }
        do { _ = try ModelLayout(directory: dir.path).layout(layer: 0) } catch { message = "\(error)" }
        #expect(message.contains(#"found for layer 0: model.layers.0.w\u{1B}[31mred\u{D}over\u{9B}2J"#))
        for text in [message, CheckpointError.invalidMetadata(key: "k\u{1b}]0;t\u{7}", reason: "x").description,
                     ModelLayoutError.shard(path: "p", .noSuchTensor(name)).description] {
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(text.debugDescription)")
        }
    }
}
