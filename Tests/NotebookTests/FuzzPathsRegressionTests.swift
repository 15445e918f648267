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
}
