import Foundation
import Testing

/// The committed notebooks that run in seconds still reproduce their outputs
/// (`analyze notebook check`); the slow ones are checked by the command in notebooks-md/README.md.
@Suite struct NotebooksCheckTests {
    /// notebooks-md/ in the source tree.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("notebooks-md")

    static let fast = ["01-combination-space.md", "02-dag-structures.md", "03-rank-and-spectrum.md", "06-realizable.md", "08-pytorch-lm.md"]

    @Test(arguments: fast) func notebookStillReproduces(_ name: String) throws {
        let r = try runAnalyze(["notebook", "check", NotebooksCheckTests.directory.appendingPathComponent(name).path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }
}
