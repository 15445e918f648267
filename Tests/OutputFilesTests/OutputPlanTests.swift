import Foundation
import Testing
import TestSupport
@testable import OutputFiles

/// The output plan: every refusal before any work, atomic replacement, locks, stale leftovers.
@Suite(.timeLimit(.minutes(1))) struct OutputPlanTests {
    func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func plan(_ path: String, _ ext: String? = "svg", option: String = "--plot", inputs: [String] = []) throws -> OutputPlan {
        try OutputPlan([PlannedOutput(option: option, path: path, fileExtension: ext)], inputs: inputs)
    }

    @Test func refusalsNameTheProblem() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: OutputFileError.wrongExtension(option: "--plot", path: dir + "/notes.md", expected: "svg")) {
            try plan(dir + "/notes.md")
        }
        #expect(throws: OutputFileError.wrongExtension(option: "--plot", path: "out.png", expected: "svg")) { try plan("out.png") }
        #expect(throws: OutputFileError.directory(option: "--plot", path: dir)) { try plan(dir) }
        #expect(throws: OutputFileError.directory(option: "--plot", path: dir + "/")) { try plan(dir + "/") }
        #expect(throws: OutputFileError.directory(option: "--plot", path: "..")) { try plan("..") }
        #expect(throws: OutputFileError.empty(option: "--plot")) { try plan("") }
        #expect(throws: OutputFileError.noFolder(option: "--plot", path: "/nonexistent/c.svg", folder: "/nonexistent")) {
            try plan("/nonexistent/c.svg")
        }
        #expect(throws: OutputFileError.notRegular(option: "--plot", path: "/dev/null", kind: "a character device")) {
            try plan("/dev/null", nil)
        }
        let fifo = dir + "/pipe.svg"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: OutputFileError.notRegular(option: "--plot", path: fifo, kind: "a FIFO (named pipe)")) { try plan(fifo) }
        #expect(symlink(dir + "/missing.svg", dir + "/dangling.svg") == 0)
        #expect(throws: OutputFileError.danglingLink(option: "--plot", path: dir + "/dangling.svg", errno: ENOENT)) {
            try plan(dir + "/dangling.svg")
        }
        #expect(symlink(dir + "/loop2.svg", dir + "/loop1.svg") == 0 && symlink(dir + "/loop1.svg", dir + "/loop2.svg") == 0)
        #expect(throws: OutputFileError.danglingLink(option: "--plot", path: dir + "/loop1.svg", errno: ELOOP)) {
            try plan(dir + "/loop1.svg")
        }
        #expect((try? String(contentsOfFile: dir + "/notes.md", encoding: .utf8)) == nil)
    }

    @Test func anInputIsNeverAnOutputEvenThroughLinks() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = dir + "/model"
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        let weights = model + "/model.safetensors"
        try Data("weights".utf8).write(to: URL(fileURLWithPath: weights))
        #expect(link(weights, dir + "/hard.safetensors") == 0)
        #expect(symlink(weights, dir + "/soft.safetensors") == 0)
        for path in [weights, dir + "/hard.safetensors", dir + "/soft.safetensors", dir + "/./model/../model/model.safetensors"] {
            #expect(throws: OutputFileError.input(option: "-o", path: path, input: weights)) {
                try plan(path, "safetensors", option: "-o", inputs: [model])
            }
            #expect(throws: OutputFileError.input(option: "-o", path: path, input: weights)) {
                try plan(path, "safetensors", option: "-o", inputs: [weights])
            }
        }
        #expect(try String(contentsOfFile: weights, encoding: .utf8) == "weights")
        let fresh = try plan(model + "/layer0.safetensors", "safetensors", option: "-o", inputs: [model])
        try fresh.write(Data("layer".utf8), for: "-o")
    }

    @Test func twoOutputsOfOneCommandMayNotShareAFile() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("old".utf8).write(to: URL(fileURLWithPath: dir + "/a.safetensors"))
        #expect(symlink(dir + "/a.safetensors", dir + "/a.csv") == 0)
        let outputs = [PlannedOutput(option: "--out", path: dir + "/a.safetensors", fileExtension: "safetensors"),
                       PlannedOutput(option: "--csv", path: dir + "/a.csv", fileExtension: "csv")]
        #expect(throws: OutputFileError.sameFile(option: "--out", other: "--csv", path: dir + "/a.csv")) {
            try OutputPlan(outputs, inputs: [])
        }
        let same = [PlannedOutput(option: "--out", path: "x.bin", fileExtension: nil),
                    PlannedOutput(option: "--csv", path: "./x.bin", fileExtension: nil)]
        #expect(throws: OutputFileError.sameFile(option: "--out", other: "--csv", path: "./x.bin")) { try OutputPlan(same, inputs: []) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["a.csv", "a.safetensors"])
    }

    @Test func writesReplaceAtomicallyKeepModeAndFollowLinks() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/curve.csv"
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: target))
        #expect(chmod(target, 0o600) == 0)
        #expect(symlink(target, dir + "/link.csv") == 0)
        let outputs = try plan(dir + "/link.csv", "csv", option: "--csv")
        #expect(FileManager.default.fileExists(atPath: dir + "/.curve.csv.analyze-lock"))
        try outputs.write(Data("new\n".utf8), for: "--csv")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.csv") == target)
        var info = stat()
        #expect(stat(target, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["curve.csv", "link.csv"])
    }

    @Test func aSecondWriterFailsUntilTheFirstIsDone() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/same.safetensors"
        var first: OutputPlan? = try plan(path, "safetensors", option: "--out")
        let lock = dir + "/.same.safetensors.analyze-lock"
        #expect(throws: OutputFileError.busy(path: path, lock: lock, pid: getpid())) { try plan(path, "safetensors", option: "--out") }
        first = nil
        #expect(first == nil && !FileManager.default.fileExists(atPath: lock))
        let second = try plan(path, "safetensors", option: "--out")
        try second.write(Data("x".utf8), for: "--out")
        #expect(!FileManager.default.fileExists(atPath: lock))
    }

    @Test func leftoversOfAKilledRunAreCleanedByTheNext() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dead = try deadProcessID()
        try Data("\(dead)\n".utf8).write(to: URL(fileURLWithPath: dir + "/.out.svg.analyze-lock"))
        try Data(count: 1000).write(to: URL(fileURLWithPath: dir + "/.analyze-tmp-\(dead)-A1B2"))
        try Data().write(to: URL(fileURLWithPath: dir + "/.analyze-tmp-\(getpid())-live"))
        let outputs = try plan(dir + "/out.svg")
        #expect(try String(contentsOfFile: dir + "/.out.svg.analyze-lock", encoding: .utf8) == "\(getpid())\n")
        try outputs.write(Data("<svg/>".utf8), for: "--plot")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [".analyze-tmp-\(getpid())-live", "out.svg"])
    }

    @Test func messagesAreOneLineAndNameThePath() {
        let errors: [OutputFileError] = [
            .wrongExtension(option: "--plot", path: "notes.md", expected: "svg"),
            .input(option: "-o", path: "q/model.safetensors", input: "q/model.safetensors"),
            .sameFile(option: "--out", other: "--csv", path: "same.x"),
            .noFolder(option: "--out", path: "/nonexistent/x.safetensors", folder: "/nonexistent"),
            .busy(path: "x.safetensors", lock: ".x.safetensors.analyze-lock", pid: 42),
        ]
        for error in errors {
            #expect(!error.description.contains("\n"))
        }
        #expect(errors[0].description == "--plot notes.md: --plot writes .svg only; name the file *.svg")
        #expect(errors[3].description == "--out /nonexistent/x.safetensors: the folder /nonexistent does not exist")
    }
}
