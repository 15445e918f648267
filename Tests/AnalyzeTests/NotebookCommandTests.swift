import Foundation
import Testing

/// `analyze notebook run/check` end to end on small notebooks written to a temporary directory.
@Suite struct NotebookCommandTests {
    /// A fresh directory holding `text` as `t.md`; returns the notebook's path.
    func notebook(_ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nb-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("t.md").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    let twoCells = """
    # T

    ```sh analyze
    analyze count --n 8 --k 2 --format json
    ```

    <!-- vary: ^[0-9]+,[0-9.]+ -->
    ```sh analyze
    analyze count --n 8 --k-range 2...3 --format csv --plot plots/p.svg
    ```

    ```text output
    stale
    ```
    end

    """

    @Test func runFillsOutputsAndPlotsThenCheckPasses() throws {
        let path = try notebook(twoCells)
        let run = try runAnalyze(["notebook", "run", path])
        #expect(run.status == 0)
        #expect(run.stdout == "\(path): 2 commands run, 2 output blocks changed\n")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let direct = try runAnalyze(["count", "--n", "8", "--k", "2", "--format", "json"])
        #expect(text.contains("```\n\n```text output\n" + direct.stdout + "```\n\n<!-- vary"))
        #expect(text.hasSuffix("```\nend\n"))
        let plot = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("plots/p.svg").path
        #expect(FileManager.default.fileExists(atPath: plot))
        try FileManager.default.removeItem(atPath: plot)

        let check = try runAnalyze(["notebook", "check", path])
        #expect(check.status == 1)
        #expect(check.stdout.contains("writes plots/p.svg, which is missing beside the notebook"))
        #expect(try runAnalyze(["notebook", "run", path]).stdout.hasSuffix("2 commands run, 0 output blocks changed\n"))
        let again = try runAnalyze(["notebook", "check", path])
        #expect(again.status == 0)
        #expect(again.stdout == "\(path): 2 commands, every output matches\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test func checkPrintsTheFirstDiffWithLineNumbersAndHonoursVary() throws {
        let path = try notebook(twoCells)
        _ = try runAnalyze(["notebook", "run", path])
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"weighted_sum\": \"28\"", with: "\"weighted_sum\": \"29\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let check = try runAnalyze(["notebook", "check", path])
        #expect(check.status == 1)
        #expect(check.stderr.hasPrefix("analyze: outputs differ from the committed notebooks in \(path) (1)"))
        let lines = check.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(path):3: `analyze count --n 8 --k 2 --format json`: output differs (- committed, + now):")
        #expect(lines.dropFirst().first?.hasPrefix("@@ -8,") == true)
        #expect(lines.contains { $0.hasPrefix("- ") && $0.contains("\"weighted_sum\": \"29\"") })
        #expect(lines.contains { $0.hasPrefix("+ ") && $0.contains("\"weighted_sum\": \"28\"") })

        // The second cell's vary pattern masks the first two csv fields: changing them is no difference.
        text = text.replacingOccurrences(of: "\"weighted_sum\": \"29\"", with: "\"weighted_sum\": \"28\"")
            .replacingOccurrences(of: "\n2,", with: "\n7,")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try runAnalyze(["notebook", "check", path]).status == 0)
    }

    /// Whether this build has `analyze train` (the chained-file test needs a command that writes a file
    /// another command reads).
    static let hasTrain = (try? runAnalyze(["train", "--help"]).status) == 0

    @Test(.enabled(if: hasTrain)) func checkSendsWrittenFilesToScratchAndReadsThemBack() throws {
        let path = try notebook("""
        <!-- vary: [0-9.]+ steps/s -->
        ```sh analyze
        analyze train --task sum --d 12 --n 4 --k 2 --d-ff 8 --d-g 4 --steps 3 --eval-every 1 --out layers/m.safetensors
        ```

        ```sh analyze
        analyze crosscheck layers/m.safetensors --jacobian-tokens 0
        ```

        """)
        #expect(try runAnalyze(["notebook", "run", path]).status == 0)
        let written = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("layers/m.safetensors").path
        #expect(FileManager.default.fileExists(atPath: written))
        try FileManager.default.removeItem(atPath: written)
        let check = try runAnalyze(["notebook", "check", path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(!FileManager.default.fileExists(atPath: written))
    }

    @Test func badNotebooksNameTheLine() throws {
        let unterminated = try notebook("a\n\n```sh analyze\nanalyze count --n 8 --k 2\n")
        let r1 = try runAnalyze(["notebook", "check", unterminated])
        #expect(r1.status != 0)
        #expect(r1.stderr == "analyze: \(unterminated):3: unterminated ``` block: no closing ``` before the end of the notebook\n")

        let unknown = try notebook("```sh analyze\nanalyze frobnicate\n```\n")
        let r2 = try runAnalyze(["notebook", "run", unknown])
        #expect(r2.stderr.hasPrefix("analyze: \(unknown):2: unknown subcommand `frobnicate` (known: "))
        #expect(r2.stderr.contains("count") && !r2.stderr.contains("notebook"))

        let failing = try notebook("x\n```sh analyze\nanalyze count --n 2 --k 3\n```\n")
        let before = try String(contentsOfFile: failing, encoding: .utf8)
        let r3 = try runAnalyze(["notebook", "run", failing])
        #expect(r3.status != 0)
        #expect(r3.stderr == "analyze: \(failing):2: `analyze count --n 2 --k 3` failed with exit status 64: "
                + "analyze: --k 3 is larger than --n 2: a layer cannot select more experts than it has\n")
        #expect(try String(contentsOfFile: failing, encoding: .utf8) == before)

        let missing = try runAnalyze(["notebook", "check", "/nonexistent/nb.md"])
        #expect(missing.stderr == "analyze: cannot read /nonexistent/nb.md: no such file\n")
    }

    @Test func cellsMarkedFailsShowStderrAndMustFail() throws {
        let path = try notebook("```sh analyze fails\nanalyze count --n 2 --k 3\n```\n")
        #expect(try runAnalyze(["notebook", "run", path]).status == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasSuffix(
            "```text output\nanalyze: --k 3 is larger than --n 2: a layer cannot select more experts than it has\n```\n"))
        let succeeding = try notebook("```sh analyze fails\nanalyze count --n 3 --k 2\n```\n")
        let r = try runAnalyze(["notebook", "run", succeeding])
        #expect(r.stderr == "analyze: \(succeeding):1: `analyze count --n 3 --k 2` is marked `fails` but exited 0\n")
    }
}
