import Foundation
import Testing
@testable import Notebook

/// Which words of a command are written files, and how they are confined and redirected.
@Suite struct OutputPathTests {
    let plot = OutputOption(names: ["--plot"], fileExtension: "svg")
    let out = OutputOption(names: ["--output", "-o"], fileExtension: "safetensors")
    var outputs: CommandOutputs { CommandOutputs(outputs: [plot, out], valueOptions: ["--target", "--n"]) }

    /// A fresh folder under the temporary directory.
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nb-paths-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func everySpellingOfAnOutputOptionIsFound() throws {
        let words = ["--plot", "a.svg", "--plot=b.svg", "-o", "c.safetensors", "-o=d.safetensors",
                     "--output", "-e.safetensors", "--target", "--plot", "--n", "3", "--", "--plot", "z.svg"]
        let found = try outputs.writtenPaths(words)
        #expect(found.map(\.path) == ["a.svg", "b.svg", "c.safetensors", "d.safetensors", "-e.safetensors"])
        #expect(found.map(\.index) == [1, 2, 4, 5, 7])
        #expect(found.map(\.prefix) == ["", "--plot=", "", "-o=", ""])
    }

    @Test func ambiguousSpellingsAreRefused() {
        #expect(throws: OutputPathError.groupedShortOption("-vo")) { try outputs.writtenPaths(["-vo", "x.safetensors"]) }
        #expect(throws: OutputPathError.missingValue("--plot")) { try outputs.writtenPaths(["--n", "3", "--plot"]) }
    }

    @Test func pathsAreNormalizedOrRefusedLexically() throws {
        #expect(try OutputConfinement.normalized("./a//b/./c.svg", option: "--plot") == "a/b/c.svg")
        #expect(throws: OutputPathError.absolute("/tmp/x.svg")) { try OutputConfinement.normalized("/tmp/x.svg", option: "--plot") }
        #expect(throws: OutputPathError.parent("../../x/deep/y.svg")) {
            try OutputConfinement.normalized("../../x/deep/y.svg", option: "--plot")
        }
        #expect(throws: OutputPathError.parent("a/../../z.svg")) { try OutputConfinement.normalized("a/../../z.svg", option: "--plot") }
        #expect(throws: OutputPathError.empty(option: "--plot")) { try OutputConfinement.normalized("", option: "--plot") }
        #expect(throws: OutputPathError.directory("a/")) { try OutputConfinement.normalized("a/", option: "--plot") }
        #expect(throws: OutputPathError.directory(".")) { try OutputConfinement.normalized(".", option: "--plot") }
    }

    @Test func theDiskCannotLeadOutside() throws {
        let root = try folder()
        let notebook = root.appendingPathComponent("nb.md")
        try Data("x".utf8).write(to: notebook)
        let confinement = OutputConfinement(folder: root, inputs: [notebook])
        func check(_ path: String, _ option: OutputOption? = nil) throws(OutputPathError) -> String {
            try confinement.check(WrittenPath(index: 0, prefix: "", path: path, option: option ?? plot))
        }
        #expect(try check("new/deep/p.svg") == "new/deep/p.svg")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("up").path, withDestinationPath: "/tmp")
        #expect(throws: OutputPathError.symlink(path: "up/p.svg", component: "up")) { try check("up/p.svg") }
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("l.svg").path, withDestinationPath: "/tmp/elsewhere.svg")
        #expect(throws: OutputPathError.symlink(path: "l.svg", component: "l.svg")) { try check("l.svg") }
        #expect(throws: OutputPathError.wrongExtension(path: "notes.md", option: "--plot", expected: "svg")) { try check("notes.md") }
        #expect(throws: OutputPathError.input("nb.md")) { try check("nb.md", OutputOption(names: ["--csv"], fileExtension: nil)) }
        try FileManager.default.linkItem(at: notebook, to: root.appendingPathComponent("alias.svg"))
        #expect(throws: OutputPathError.input("alias.svg")) { try check("alias.svg") }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("d.svg"), withIntermediateDirectories: true)
        #expect(throws: OutputPathError.directory("d.svg")) { try check("d.svg") }
    }

    @Test func checkSendsWritesAndLaterReadsToScratch() throws {
        let root = try folder(), scratch = root.appendingPathComponent("scratch")
        let confinement = OutputConfinement(folder: root, inputs: [])
        var redirect = OutputRedirect(scratch: scratch)
        let first = try redirect.plan(["convert", "-o", "m/x.safetensors", "--out-dir", "k"], outputs: outputs,
                                      defaults: [], confinement: confinement)
        #expect(first.arguments == ["convert", "-o", scratch.path + "/m/x.safetensors", "--out-dir", "k"])
        #expect(first.folders == [scratch.appendingPathComponent("m")])
        let second = try redirect.plan(["rank", "--experts=./m/x.safetensors", "m/x.safetensors", "--output=-evil.safetensors"],
                                       outputs: outputs, defaults: [DefaultOutput(option: plot, path: "compare-sum.svg")],
                                       confinement: confinement)
        #expect(second.arguments == ["rank", "--experts=" + scratch.path + "/m/x.safetensors", scratch.path + "/m/x.safetensors",
                                     "--output=" + scratch.path + "/-evil.safetensors", "--plot", scratch.path + "/compare-sum.svg"])
        #expect(second.written == ["-evil.safetensors", "compare-sum.svg"])
        #expect(redirect.unscratched("wrote \(scratch.path)/compare-sum.svg") == "wrote compare-sum.svg")
    }

    @Test func runWritesInPlaceButChecksDefaultsToo() throws {
        let root = try folder()
        var redirect = OutputRedirect(scratch: nil)
        let confinement = OutputConfinement(folder: root, inputs: [])
        let plan = try redirect.plan(["count", "--plot", "p/q.svg"], outputs: outputs, defaults: [], confinement: confinement)
        #expect(plan.arguments == ["count", "--plot", "p/q.svg"])
        #expect(plan.folders == [root.appendingPathComponent("p")])
        #expect(throws: OutputPathError.absolute("/x.svg")) {
            try redirect.plan(["compare"], outputs: outputs, defaults: [DefaultOutput(option: plot, path: "/x.svg")],
                              confinement: confinement)
        }
    }
}
