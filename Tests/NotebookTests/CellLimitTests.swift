import Foundation
import Testing
@testable import Notebook

/// A command is stopped at its time limit and its output cap; a vary pattern that backtracks
/// catastrophically fails within the matching budget.
@Suite struct CellLimitTests {
    let tmp = FileManager.default.temporaryDirectory

    @Test(.timeLimit(.minutes(1))) func aHangingCommandIsKilledAtTheTimeLimit() throws {
        let start = Date()
        #expect(throws: CellStop.timeLimit(0.5)) {
            try CellProcess.run(executable: URL(fileURLWithPath: "/bin/sleep"), arguments: ["30"], directory: tmp,
                                limits: CellLimits(seconds: 0.5, outputBytes: 1000))
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test(.timeLimit(.minutes(1))) func endlessOutputIsCutAtTheCap() throws {
        #expect(throws: CellStop.outputCap(100_000, stream: "stdout")) {
            try CellProcess.run(executable: URL(fileURLWithPath: "/usr/bin/yes"), arguments: [], directory: tmp,
                                limits: CellLimits(seconds: 30, outputBytes: 100_000))
        }
    }

    @Test(.timeLimit(.minutes(1))) func outputAndStatusComeBack() throws {
        let result = try CellProcess.run(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "echo out; echo err >&2; exit 3"],
                                         directory: tmp, limits: CellLimits(seconds: 30, outputBytes: 100))
        #expect(result == CellResult(status: 3, signaled: false, stdout: "out\n", stderr: "err\n"))
    }

    @Test(.timeLimit(.minutes(1))) func catastrophicBacktrackingStopsAtTheBudget() throws {
        let pattern = try VaryPattern("(a|a)*b", line: 7)
        let lines = Array(repeating: String(repeating: "a", count: 32), count: 30)
        let start = Date()
        #expect {
            try OutputDiff.compare(committed: lines, fresh: lines, vary: [pattern], budget: MatchBudget(seconds: 0.5))
        } throws: { error in
            guard let error = error as? NotebookError else { return false }
            return error.line == 7 && error.message.contains("(a|a)*b") && error.message.contains("budget")
        }
        #expect(Date().timeIntervalSince(start) < 5)
        let cheap = try VaryPattern("[0-9]+ ms", line: 1)
        #expect(try OutputDiff.compare(committed: ["1 ms"], fresh: ["2 ms"], vary: [cheap], budget: MatchBudget(seconds: 0.5)) == nil)
    }
}
