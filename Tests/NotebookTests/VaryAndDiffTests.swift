import Testing
@testable import Notebook

/// Vary masking and the line diff.
@Suite struct VaryAndDiffTests {
    @Test func varyMasksOnlyItsMatches() throws {
        let timing = try VaryPattern(#"[0-9.]+ (ms|s)\b"#, line: 1)
        #expect(try timing.mask("took 12.5 ms, then 3 s", budget: MatchBudget(seconds: 5)) == "took …, then …")
        #expect(try timing.mask("no timing", budget: MatchBudget(seconds: 5)) == "no timing")
        let whole = try VaryPattern("^throughput.*$", line: 2)
        #expect(try whole.mask("throughput 1234 tok/s", budget: MatchBudget(seconds: 5)) == "…")
        let dollar = try VaryPattern(#"\d+"#, line: 3)
        #expect(try dollar.mask("$1 and \\2", budget: MatchBudget(seconds: 5)) == "$… and \\…")
    }

    @Test func compareUsesVaryAndIgnoresTrailingSpace() throws {
        let timing = try VaryPattern(#"[0-9.]+ ms"#, line: 1)
        #expect(try OutputDiff.compare(committed: ["rank 4", "time 3.1 ms"], fresh: ["rank 4  ", "time 9.75 ms"], vary: [timing]) == nil)
        #expect(try OutputDiff.compare(committed: ["rank 4", "time 3.1 ms"], fresh: ["rank 5", "time 3.1 ms"], vary: [timing])
                == OutputDiff(script: [.removed("rank 4"), .added("rank 5"), .same("time 3.1 ms")]))
        #expect(try OutputDiff.compare(committed: ["time 3.1 ms"], fresh: ["time 3.1 ms"], vary: []) == nil)
        #expect(try OutputDiff.compare(committed: ["time 3.1 ms"], fresh: ["time 3.2 ms"], vary: []) != nil)
    }

    @Test func varyingWidthsDoNotShiftTheComparison() throws {
        let tiny = try VaryPattern(#"[0-9.]+e-1[0-9]"#, line: 1)
        let committed = ["target  ws          chain", "1*0     0.97 (no)  1.1e-15 (yes)"]
        let fresh = ["target  ws             chain", "1*0     0.97 (no)  1.234e-15 (yes)"]
        #expect(try OutputDiff.compare(committed: committed, fresh: fresh, vary: [tiny]) == nil)
        #expect(try OutputDiff.compare(committed: committed, fresh: fresh, vary: []) != nil)
        #expect(try OutputDiff.compare(committed: ["a b"], fresh: ["ab"], vary: [tiny]) != nil)
        #expect(collapsingSpaces("a  \t b\t") == "a b ")
    }

    @Test func unifiedDiffNumbersNotebookLines() throws {
        let committed = (1...10).map { "line \($0)" }
        var fresh = committed
        fresh[4] = "line five"
        fresh.append("line 11")
        let diff = try #require(try OutputDiff.compare(committed: committed, fresh: fresh, vary: []))
        #expect(diff.unified(firstLine: 40, context: 1) == """
        @@ -43,3 +43,3 @@
          43 | line 4
        - 44 | line 5
        + 44 | line five
          45 | line 6
        @@ -49,1 +49,2 @@
          49 | line 10
        + 50 | line 11
        """)
    }

    /// The edit script against brute force: it turns one sequence into the other and keeps a
    /// longest common subsequence, for every pair of short sequences over a two-letter alphabet.
    @Test func editScriptKeepsALongestCommonSubsequence() {
        func sequences(_ length: Int) -> [[Character]] {
            length == 0 ? [[]] : sequences(length - 1).flatMap { [$0 + ["a"], $0 + ["b"]] }
        }
        func lcs(_ a: ArraySlice<Character>, _ b: ArraySlice<Character>) -> Int {
            guard let x = a.first, let y = b.first else { return 0 }
            return x == y ? 1 + lcs(a.dropFirst(), b.dropFirst()) : max(lcs(a.dropFirst(), b), lcs(a, b.dropFirst()))
        }
        let all = (0...4).flatMap(sequences)
        for a in all {
            for b in all {
                let script = OutputDiff.editScript(a.count, b.count, equal: { a[$0] == b[$1] })
                var old: [Character] = [], new: [Character] = [], same = 0
                for step in script {
                    switch step {
                    case .same(let i, let j): old.append(a[i]); new.append(b[j]); same += 1
                    case .removed(let i): old.append(a[i])
                    case .added(let j): new.append(b[j])
                    }
                }
                #expect(old == a && new == b)
                #expect(same == lcs(a[...], b[...]))
            }
        }
    }

    @Test func hugeInputsFallBackToReplaceTheMiddle() {
        let script = OutputDiff.editScript(5, 4, equal: { $0 == 0 && $1 == 0 }, limit: 2)
        #expect(script == [.same(0, 0), .removed(1), .removed(2), .removed(3), .removed(4),
                           .added(1), .added(2), .added(3)])
    }
}
