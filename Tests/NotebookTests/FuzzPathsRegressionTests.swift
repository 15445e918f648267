import Foundation
import Testing
@testable import Notebook

/// Inputs fuzz/NotebookPathsFuzz.swift found.
@Suite struct FuzzPathsRegressionTests {
    /// `--csv s`: a one-character output path trapped in Foundation's
    /// `NSString.deletingLastPathComponent` while the plan listed folders to create.
    @Test func oneCharacterOutputPath() throws {
        let outputs = CommandOutputs(outputs: [OutputOption(names: ["--csv"], fileExtension: nil)], valueOptions: [])
        let folder = URL(fileURLWithPath: "/nonexistent-fuzz/notebooks")
        var redirect = OutputRedirect(scratch: nil)
        let plan = try redirect.plan(["x", "--csv", "s"], outputs: outputs, defaults: [],
                                     confinement: OutputConfinement(folder: folder, inputs: []))
        #expect(plan.written == ["s"] && plan.folders.isEmpty)
    }

    /// A combining mark after `/` or `=` makes one `Character` with it, so splitting a path or
    /// an option at `Character`s missed the separator: `../\u{301}x.svg` read as one name while
    /// the file system sees `..`, and `/\u{301}tmp/x.svg` did not look absolute.
    @Test func combiningMarksDoNotHideSeparators() throws {
        #expect(throws: OutputPathError.parent("../\u{301}x.svg")) { try OutputConfinement.normalized("../\u{301}x.svg", option: "--plot") }
        #expect(throws: OutputPathError.absolute("/\u{301}tmp/x.svg")) { try OutputConfinement.normalized("/\u{301}tmp/x.svg", option: "--plot") }
        #expect(try OutputConfinement.normalized("a/\u{301}b.svg", option: "--plot") == "a/\u{301}b.svg")
        let outputs = CommandOutputs(outputs: [OutputOption(names: ["--plot"], fileExtension: "svg")], valueOptions: [])
        let found = try outputs.writtenPaths(["--plot=\u{301}../../x.svg"])
        #expect(found.map(\.path) == ["\u{301}../../x.svg"])
        #expect(throws: OutputPathError.parent("\u{301}../../x.svg")) { try OutputConfinement.normalized(found[0].path, option: "--plot") }
    }

    /// The bytes of the second finding (`-o` with a value that starts with a combining mark):
    /// the harness compared paths by `Character`s; the plan itself was right.
    @Test func combiningMarkAtTheStartOfAValue() throws {
        let bytes: [UInt8] = [0x61, 0x2D, 0x2D, 0x70, 0x6C, 0x6F, 0x74, 0x3D, 0xAF, 0x20, 0x2D, 0x6F, 0x20, 0xD8, 0x90, 0x6C,
                              0x6F, 0x74, 0x3D, 0x2D, 0x65, 0x2F, 0x27, 0x61, 0x2B, 0x61, 0x27, 0x27, 0x27, 0xAF, 0xAF, 0xAF, 0xAF]
        let words = try commandWords(String(decoding: bytes, as: UTF8.self))
        let outputs = CommandOutputs(outputs: [OutputOption(names: ["--output", "-o"], fileExtension: nil)], valueOptions: [])
        let scratch = URL(fileURLWithPath: "/nonexistent-fuzz/scratch")
        var redirect = OutputRedirect(scratch: scratch)
        let plan = try redirect.plan(words, outputs: outputs, defaults: [],
                                     confinement: OutputConfinement(folder: URL(fileURLWithPath: "/nonexistent-fuzz/notebooks"), inputs: []))
        #expect(plan.arguments[2].utf8.starts(with: (scratch.path + "/\u{610}lot=-e/").utf8))
    }
}
