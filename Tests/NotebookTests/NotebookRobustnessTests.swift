import Testing
@testable import Notebook

/// Mutated notebooks never crash the parser: each either parses (and then renders back to
/// itself, or with missing output blocks inserted, to a notebook with the same cells) or
/// throws an error naming a line inside the notebook.
@Suite struct NotebookRobustnessTests {
    /// A small deterministic generator (SplitMix64).
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func mutationsParseOrFailWithALine() {
        var rng = SplitMix(state: 7)
        let pieces = ["```", "~~~", "````", "sh analyze", "text output", "fails", "\n", "\r\n", "\\", "'", "\"",
                      "analyze count --n 3 --k 2", "<!-- vary: ", "-->", "(", "|", " ", "e\u{301}", "`\u{301}", "#"]
        var parsed = 0
        for _ in 0..<400 {
            var scalars = Array(sample.unicodeScalars)
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let at = Int.random(in: 0...scalars.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: scalars.insert(contentsOf: pieces.randomElement(using: &rng)!.unicodeScalars, at: at)
                case 1: if at < scalars.count { scalars.removeSubrange(at..<min(scalars.count, at + Int.random(in: 1...8, using: &rng))) }
                default: if at < scalars.count { scalars[at] = "\n" }
                }
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            let text = String(view)
            let lineCount = text.utf8.filter { $0 == UInt8(ascii: "\n") }.count + 1
            do {
                let notebook = try Notebook(parsing: text, subcommands: known)
                let outputs = notebook.cells.map(\.committedOutput)
                let rendered = notebook.rendered(outputs: outputs)
                if notebook.cells.allSatisfy({ $0.output != nil }) {
                    #expect(rendered == text)
                } else {
                    let again = try? Notebook(parsing: rendered, subcommands: known)
                    #expect(again?.cells.map(\.words) == notebook.cells.map(\.words))
                    #expect(again?.cells.map(\.committedOutput) == outputs)
                }
                parsed += 1
            } catch {
                #expect((1...lineCount).contains(error.line))
            }
        }
        #expect(parsed > 0 && parsed < 400)
    }
}
