import Foundation
import Testing

/// A scratch folder for one test.
private func scratch(_ label: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Files out (issue 17 items 7 and 10, issue 19's output paths): every output path is checked
/// before any work, an input or another output is never overwritten, a second writer fails,
/// an interrupted writer leaves nothing behind.
@Suite(.timeLimit(.minutes(1))) struct OutputFileCommandTests {
    /// A training run of a million steps: only a check before work lets it end within the limit.
    static let long = ["train", "--task", "sum", "--steps", "1000000", "--d", "8", "--n", "2", "--k", "1", "--d-ff", "4",
                       "--d-g", "2", "--functions", "1", "--batch", "4", "--eval-every", "1000000", "--eval-tokens", "8"]

    @Test func badOutputPathsFailBeforeAnyWork() throws {
        let dir = try scratch("outputs")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("notes".utf8).write(to: URL(fileURLWithPath: dir + "/notes.md"))
        let long = OutputFileCommandTests.long
        for (args, words) in [
            (long + ["--out", "/nonexistent/x.safetensors"], "--out /nonexistent/x.safetensors: the folder /nonexistent does not exist"),
            (["compare", "--task", "sum", "--steps", "1000000", "--plot", "/nonexistent/c.svg"], "the folder /nonexistent does not exist"),
            (["compare", "--task", "sum", "--steps", "1000000", "--plot", dir + "/c.svg", "--csv", "/nonexistent/c.csv"], "/nonexistent"),
            (long + ["--out", dir], "is a folder; give a file name"),
            (long + ["--out", dir + "/x.safetensors", "--csv", "/dev/null"], "is a character device, not a regular file"),
            (long + ["--out", dir + "/same.x", "--csv", dir + "/same.x"], "--out writes .safetensors only"),
            (["count", "--n", "5", "--k", "3", "--plot", dir + "/notes.md"], "--plot writes .svg only"),
            (["count", "--n", "5", "--k", "3", "--plot", dir + "/out.png"], "--plot writes .svg only"),
            (["rank", "--random", "4,3", "--plot", dir + "/r.json"], "--plot writes .svg only"),
        ] {
            expectOneLineError(try runAnalyze(args), words, args.joined(separator: " "))
        }
        #expect(try String(contentsOfFile: dir + "/notes.md", encoding: .utf8) == "notes")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["notes.md"])
    }

    @Test func twoOutputsOfOneCommandNamingOneFileAreRefused() throws {
        let dir = try scratch("same-output")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("old".utf8).write(to: URL(fileURLWithPath: dir + "/same.safetensors"))
        #expect(symlink(dir + "/same.safetensors", dir + "/same.csv") == 0)
        let r = try runAnalyze(OutputFileCommandTests.long + ["--out", dir + "/same.safetensors", "--csv", dir + "/same.csv"])
        expectOneLineError(r, "--out and --csv both name \(dir)/same.csv", "train")
        #expect(try String(contentsOfFile: dir + "/same.safetensors", encoding: .utf8) == "old")
    }

    /// `convert -o q/model.safetensors` replaced the model's own weights and exited 0.
    @Test func convertNeverOverwritesItsModel() throws {
        let dir = try scratch("convert-self")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = dir + "/q"
        try FileManager.default.copyItem(atPath: ModelCommandFixtures.path("olmoe"), toPath: model)
        let weights = model + "/model.safetensors"
        let before = try Data(contentsOf: URL(fileURLWithPath: weights))
        #expect(link(weights, dir + "/hard.safetensors") == 0)
        for out in [weights, dir + "/hard.safetensors", model + "/../q/model.safetensors"] {
            let r = try runAnalyze(["convert", "--model", model, "--layer", "0", "-o", out])
            expectOneLineError(r, "is the same file as the input \(weights); refusing to overwrite it", out)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: weights)) == before)
        let fresh = try runAnalyze(["convert", "--model", model, "--layer", "0", "-o", model + "/layer0.safetensors"])
        #expect(fresh.status == 0, "\(fresh.stderr)")
        let again = try runAnalyze(["convert", "--model", model, "--layer", "0", "-o", model + "/layer0.safetensors"])
        #expect(again.status == 0, "replacing a previous output stays allowed: \(again.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: model).filter { $0.hasPrefix(".") }.isEmpty)
    }

    /// Two `train --out same.safetensors` at once both reported success; now the second fails,
    /// and SIGINT to the first leaves neither its lock nor a temporary file.
    @Test func aSecondWriterFailsAndAnInterruptLeavesNothing() throws {
        let dir = try scratch("concurrent")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/same.safetensors", lock = dir + "/.same.safetensors.analyze-lock"
        let first = Process()
        first.executableURL = productsDirectory().appendingPathComponent("analyze")
        first.arguments = OutputFileCommandTests.long + ["--out", out]
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        let start = Date()
        while !FileManager.default.fileExists(atPath: lock) && Date().timeIntervalSince(start) < 30 { usleep(20_000) }
        #expect(FileManager.default.fileExists(atPath: lock))
        let second = try runAnalyze(OutputFileCommandTests.long + ["--out", out])
        expectOneLineError(second, "\(out) is being written by process \(first.processIdentifier)", "second writer")
        #expect(first.isRunning)
        kill(first.processIdentifier, SIGINT)
        first.waitUntilExit()
        #expect(first.terminationStatus == 128 + SIGINT)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [])
    }

    /// A lock and a temporary file left by a killed run are cleaned up by the next one.
    @Test func staleLeftoversAreCleanedByTheNextRun() throws {
        let dir = try scratch("stale")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        let dead = process.processIdentifier
        try Data("\(dead)\n".utf8).write(to: URL(fileURLWithPath: dir + "/.c.svg.analyze-lock"))
        try Data(count: 4096).write(to: URL(fileURLWithPath: dir + "/.analyze-tmp-\(dead)-0A1B"))
        let r = try runAnalyze(["count", "--n", "5", "--k", "3", "--plot", dir + "/c.svg"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["c.svg"])
    }

    /// Issue 17 item 11: a FIFO, a folder or a symbolic-link loop given where a file is read or
    /// written is named as such (it was "You don't have permission", "error 256", "error 512").
    @Test func unclearErrorsNowNameTheProblem() throws {
        let dir = try scratch("unclear")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/fifo.json", loop = dir + "/loop.md"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(symlink(dir + "/loop2.md", loop) == 0 && symlink(loop, dir + "/loop2.md") == 0)
        for (args, words) in [
            (["bench", "--peer", fifo, "--tokens", "8"], "cannot read \(fifo): it is a FIFO (named pipe), not a regular file"),
            (["bench", "--peer", dir, "--tokens", "8"], "cannot read \(dir): it is a directory, not a regular file"),
            (["notebook", "run", fifo], "cannot read \(fifo): it is a FIFO (named pipe), not a regular file"),
            (["notebook", "check", dir], "cannot read \(dir): it is a directory, not a regular file"),
            (["notebook", "run", loop], "cannot read \(loop): Too many levels of symbolic links"),
            (OutputFileCommandTests.long + ["--out", dir + "/loop.safetensors"], "is a symbolic link that does not lead to a file"),
            (OutputFileCommandTests.long + ["--out", dir], "--out \(dir) is a folder; give a file name"),
        ] {
            if args.last == dir + "/loop.safetensors" {
                #expect(symlink(dir + "/loop.safetensors", dir + "/loop.safetensors") == 0)
            }
            expectOneLineError(try runAnalyze(args), words, args.joined(separator: " "))
        }
    }
}
