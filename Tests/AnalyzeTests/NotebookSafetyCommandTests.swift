import Foundation
import Notebook
import Testing
@testable import analyze

/// `analyze notebook run/check` stay inside the notebook's folder, stop runaway cells, keep the
/// notebook file as it was and clean up after themselves (issue 17's reproducers).
@Suite struct NotebookSafetyCommandTests {
    /// A fresh folder `root`, with the notebook `t.md` (holding `text`) in `root/a/b/`.
    func notebook(_ text: String, name: String = "t.md") throws -> (root: URL, path: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nb-safety-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (root, path)
    }

    func cell(_ command: String) -> String { "# T\n\n```sh analyze\n\(command)\n```\n" }

    /// Every file and folder under `root`, relative.
    func listing(_ root: URL) -> [String] {
        (FileManager.default.subpaths(atPath: root.path) ?? []).sorted()
    }

    /// The environment with TMPDIR set to a fresh folder, and that folder.
    func privateTemporary() throws -> ([String: String], URL) {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("nb-tmp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = tmp.path
        return (environment, tmp)
    }

    @Test(.timeLimit(.minutes(1)), arguments: ["--plot ROOT/abs.svg", "--plot ../../x/deep/y.svg", "--plot=../../z.svg"])
    func writesOutsideTheFolderAreRefused(_ plot: String) throws {
        for mode in ["run", "check"] {
            let (root, path) = try notebook("")
            try cell("analyze count --n 8 --k-range 2...3 " + plot.replacingOccurrences(of: "ROOT", with: root.path))
                .write(toFile: path, atomically: true, encoding: .utf8)
            let r = try runAnalyze(["notebook", mode, path])
            #expect(r.status != 0)
            #expect(r.stderr.hasPrefix("analyze: \(path):3: `analyze count"), "\(r.stderr)")
            #expect(r.stderr.contains("a notebook writes only inside its own folder"))
            #expect(listing(root) == ["a", "a/b", "a/b/t.md"])
        }
    }

    @Test(.timeLimit(.minutes(1))) func checkWritesNothingBesideTheNotebook() throws {
        let (root, path) = try notebook("""
        ```sh analyze
        analyze compare --task sum --d 12 --n 4 --k 2 --d-ff 8 --d-g 4 --steps 3 --eval-every 1 --seeds 1
        ```

        ```sh analyze
        analyze train --task sum --d 12 --n 4 --k 2 --d-ff 8 --d-g 4 --steps 3 --eval-every 1 --out=-evil.safetensors
        ```

        """)
        let r = try runAnalyze(["notebook", "check", path])
        #expect(r.stdout.contains("writes compare-sum.svg, which is missing beside the notebook"), "\(r.stdout)\(r.stderr)")
        #expect(listing(root) == ["a", "a/b", "a/b/t.md"])
        #expect(try runAnalyze(["notebook", "run", path]).status == 0)
        #expect(listing(root) == ["a", "a/b", "a/b/-evil.safetensors", "a/b/compare-sum.svg", "a/b/t.md"])
    }

    @Test func outputOptionsComeFromTheCommandsDefinitions() throws {
        let convert = try #require(NotebookOutputs.outputs(of: "convert").outputs.first)
        #expect(Set(convert.names) == ["-o", "--output"] && convert.fileExtension == "safetensors")
        #expect(NotebookOutputs.outputs(of: "train").outputs.map(\.names) == [["--out"], ["--csv"]])
        #expect(NotebookOutputs.outputs(of: "convert").valueOptions.isSuperset(of: ["--model", "--layer", "-o", "--output"]))
        for type in Analyze.configuration.subcommands {
            guard let writer = type as? any WritesFiles.Type, let name = type.configuration.commandName else { continue }
            #expect(NotebookOutputs.outputs(of: name).outputs.count == writer.outputOptions.count, "\(name)")
        }
        let compare = NotebookOutputs.outputs(of: "compare")
        #expect(NotebookOutputs.defaults(["compare", "--task", "sum"], outputs: compare).map(\.path) == ["compare-sum.svg"])
        #expect(NotebookOutputs.defaults(["compare", "--task", "sum", "--plot", "p.svg"], outputs: compare).isEmpty)
    }

    @Test(.timeLimit(.minutes(1))) func aSlowCellHitsTheTimeLimitAndProgressIsReported() throws {
        let (root, path) = try notebook(cell("analyze dags --k 7 --classes"))
        let start = Date()
        let r = try runAnalyze(["notebook", "run", "--time-limit", "1.5", "--progress-every", "0.3", path])
        #expect(Date().timeIntervalSince(start) < 20)
        #expect(r.status != 0)
        #expect(r.stderr.contains("analyze: \(path):3: `analyze dags --k 7 --classes` ran longer than the 1.5 s time limit and was killed"),
                "\(r.stderr)")
        #expect(r.stderr.contains("notebook \(path): cell 1/1 (line 3) running for "))
        #expect(listing(root) == ["a", "a/b", "a/b/t.md"])
    }

    @Test(.timeLimit(.minutes(1))) func aCellNamingAFifoEndsWithAnErrorAtItsLine() throws {
        let (_, path) = try notebook(cell("analyze rank --experts in.safetensors --target 1*0"))
        let fifo = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("in.safetensors").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let r = try runAnalyze(["notebook", "run", "--time-limit", "5", path])
        #expect(r.status != 0)
        #expect(r.stderr.hasPrefix("analyze: \(path):3: `analyze rank --experts in.safetensors --target 1*0` "), "\(r.stderr)")
    }

    @Test(.timeLimit(.minutes(1))) func hugeOutputStopsAtTheCapAndLeavesNoFile() throws {
        let (root, path) = try notebook(cell("analyze dags --k 7 --list --list-large"))
        let (environment, tmp) = try privateTemporary()
        let r = try runAnalyze(["notebook", "run", "--output-cap", "200000", path], environment: environment)
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(path):3: `analyze dags --k 7 --list --list-large` printed more than 200000 bytes on stdout"),
                "\(r.stderr)")
        #expect(listing(tmp).isEmpty)
        #expect(listing(root) == ["a", "a/b", "a/b/t.md"])
    }

    @Test(.timeLimit(.minutes(1))) func outputsOfTheWrongKindOrOverAnInputAreRefused() throws {
        let (_, path) = try notebook(cell("analyze count --n 8 --k 2 --plot notes.md"))
        let notes = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("notes.md").path
        try "keep".write(toFile: notes, atomically: true, encoding: .utf8)
        let r = try runAnalyze(["notebook", "run", path])
        #expect(r.stderr.contains("output path notes.md does not end in .svg, which --plot writes"), "\(r.stderr)")
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "keep")

        let (_, itself) = try notebook(cell("analyze count --n 8 --k 2 --plot nb.svg"), name: "nb.svg")
        let before = try String(contentsOfFile: itself, encoding: .utf8)
        let s = try runAnalyze(["notebook", "run", itself])
        #expect(s.stderr.contains("output path nb.svg is an input of this run"), "\(s.stderr)")
        #expect(try String(contentsOfFile: itself, encoding: .utf8) == before)
    }

    @Test(.timeLimit(.minutes(1))) func editsMadeDuringARunAreKept() throws {
        let (_, path) = try notebook(cell("analyze compare --task sum --d 12 --n 4 --k 2 --d-ff 8 --d-g 4 --steps 40 --eval-every 10 --seeds 1"))
        let process = Process()
        process.executableURL = productsDirectory().appendingPathComponent("analyze")
        process.arguments = ["notebook", "run", "--progress-every", "0.05", path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        while !seen.contains("running for") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        let edited = try String(contentsOfFile: path, encoding: .utf8) + "an edit\n"
        try edited.write(toFile: path, atomically: false, encoding: .utf8)
        seen += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(seen.contains("analyze: \(path) changed while its commands ran; not overwriting the edits"), "\(seen)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == edited)
    }

    @Test(.timeLimit(.minutes(1))) func aRewriteKeepsModeLinksByteOrderMarkAndLineEndings() throws {
        let (_, path) = try notebook("")
        let text = "\u{FEFF}# T\r\n\r\n```sh analyze\r\nanalyze count --n 8 --k 2 --format csv\r\n```\r\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        let link = folder.appendingPathComponent("link.md").path, hard = folder.appendingPathComponent("hard.md").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "t.md")
        try FileManager.default.linkItem(atPath: path, toPath: hard)
        let r = try runAnalyze(["notebook", "run", link])
        #expect(r.status == 0, "\(r.stderr)")
        let data = try #require(FileManager.default.contents(atPath: path))
        #expect(data.starts(with: [0xEF, 0xBB, 0xBF]))
        let body = String(decoding: data.dropFirst(3), as: UTF8.self)
        #expect(body.contains("```text output\r\nquantity,value,log10\r\n"))
        #expect(body.replacingOccurrences(of: "\r\n", with: "").contains("\n") == false)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "t.md")
        #expect(FileManager.default.contents(atPath: hard) == data)
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o7777 == 0o600)
        #expect(try runAnalyze(["notebook", "check", link]).status == 0)
    }

    @Test(.timeLimit(.minutes(1))) func interruptedCheckRemovesItsScratchAndKillsItsChild() throws {
        let (root, path) = try notebook(cell(
            "analyze compare --task sum --d 12 --n 4 --k 2 --d-ff 8 --d-g 4 --steps 100000 --seeds 1 --plot p.svg"))
        let (environment, tmp) = try privateTemporary()
        let process = Process()
        process.executableURL = productsDirectory().appendingPathComponent("analyze")
        process.arguments = ["notebook", "check", path]
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var children: [Int32] = []
        for _ in 0..<200 where children.isEmpty {
            Thread.sleep(forTimeInterval: 0.05)
            children = processes(mentioning: tmp.path)
        }
        #expect(!children.isEmpty)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGINT)
        #expect(listing(tmp).isEmpty)
        #expect(processes(mentioning: tmp.path).isEmpty)
        #expect(listing(root) == ["a", "a/b", "a/b/t.md"])
    }

    /// Ids of running processes whose command line mentions `text`.
    func processes(mentioning text: String) -> [Int32] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return ids.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(text)
        }
    }

    @Test(.timeLimit(.minutes(1))) func staleScratchIsRemovedAndASecondWriterFails() throws {
        let (_, path) = try notebook(cell("analyze count --n 8 --k 2"))
        let (environment, tmp) = try privateTemporary()
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let stale = tmp.appendingPathComponent("analyze-notebook-\(ended.processIdentifier)-left")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        _ = try runAnalyze(["notebook", "check", path], environment: environment)
        #expect(listing(tmp).isEmpty)

        let lock = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(".t.md.analyze-lock").path
        try "\(getpid())\n".write(toFile: lock, atomically: true, encoding: .utf8)
        let r = try runAnalyze(["notebook", "run", path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(path) is being written by process \(getpid())"), "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: lock))
    }

    @Test(.timeLimit(.minutes(1))) func backtrackingVaryPatternsFailWithinTheBudget() throws {
        let aLines = Array(repeating: String(repeating: "a", count: 32), count: 30).joined(separator: "\n")
        let (_, path) = try notebook("<!-- vary: (a|a)*b -->\n```sh analyze\nanalyze count --n 8 --k 2\n```\n\n```text output\n\(aLines)\n```\n")
        let start = Date()
        let r = try runAnalyze(["notebook", "check", "--vary-budget", "1", path])
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(r.status != 0)
        #expect(r.stderr.hasPrefix("analyze: \(path):1: vary pattern `(a|a)*b` used up the 1.0 s matching budget"), "\(r.stderr)")
    }
}
