import Foundation
import Testing
import TestSupport
@testable import Notebook
import OutputFiles

/// Rewrites keep what the file was (mode, link, hard links, byte order mark, CRLF) and refuse
/// to overwrite edits; the lock keeps a second writer out; stale temporary files are removed.
@Suite struct NotebookWriterTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nb-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func mode(_ path: String) -> mode_t {
        var info = stat()
        stat(path, &info)
        return info.st_mode & 0o7777
    }

    @Test func byteOrderMarkAndCRLFSurviveARewrite() throws {
        let data = Data([0xEF, 0xBB, 0xBF] + Array("# T\r\n\r\n```sh analyze\r\nanalyze count\r\n```\r\n".utf8))
        let text = try #require(NotebookText(data))
        #expect(text.byteOrderMark && text.crlf)
        #expect(text.text == "# T\n\n```sh analyze\nanalyze count\n```\n")
        #expect(text.encoded(text.text) == data)
        #expect(text.encoded("a\nb") == Data([0xEF, 0xBB, 0xBF] + Array("a\r\nb".utf8)))
        let mixed = try #require(NotebookText(Data("a\r\nb\n".utf8)))
        #expect(!mixed.crlf && !mixed.byteOrderMark && mixed.text == "a\r\nb\n")
        #expect(NotebookText(Data([0xFF, 0xFE])) == nil)
    }

    @Test func modeSymlinkAndHardLinksAreKept() throws {
        let root = try folder()
        let target = root.appendingPathComponent("real.md").path
        let link = root.appendingPathComponent("link.md").path
        let hard = root.appendingPathComponent("hard.md").path
        let old = Data("old\n".utf8), new = Data("new\n".utf8)
        try old.write(to: URL(fileURLWithPath: target))
        chmod(target, 0o600)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real.md")
        try NotebookWriter.replace(link, with: new, original: old)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "real.md")
        #expect(FileManager.default.contents(atPath: target) == new)
        #expect(mode(target) == 0o600)

        try FileManager.default.linkItem(atPath: target, toPath: hard)
        try NotebookWriter.replace(target, with: old, original: new)
        #expect(FileManager.default.contents(atPath: hard) == old)
        #expect(mode(hard) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["hard.md", "link.md", "real.md"])
    }

    @Test func editsMadeMeanwhileAreNotOverwritten() throws {
        let path = try folder().appendingPathComponent("nb.md").path
        try Data("edited\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: NotebookWriteError.changed(path)) {
            try NotebookWriter.replace(path, with: Data("new\n".utf8), original: Data("read\n".utf8))
        }
        #expect(FileManager.default.contents(atPath: path) == Data("edited\n".utf8))
    }

    @Test func aSecondWriterFailsAndStaleLocksAreTakenOver() throws {
        let root = try folder()
        let notebook = root.appendingPathComponent("nb.md").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: notebook))
        let lock = try FileLock(for: notebook)
        #expect(throws: OutputFileError.busy(path: notebook, lock: lock.path, pid: getpid())) { try FileLock(for: notebook) }
        lock.release()
        try Data("\(try deadProcessID())\n".utf8).write(to: URL(fileURLWithPath: lock.path))
        let again = try FileLock(for: notebook)
        #expect(try String(contentsOfFile: again.path, encoding: .utf8) == "\(getpid())\n")
        again.release()
        #expect(!FileManager.default.fileExists(atPath: again.path))
    }

    @Test func staleTemporaryFilesOfDeadProcessesAreRemoved() throws {
        let root = try folder()
        let dead = try deadProcessID()
        for name in ["tmp-\(dead)-a", "tmp-\(getpid())-b", "other"] {
            try Data().write(to: root.appendingPathComponent(name))
        }
        Cleanup.removeStale(in: root, prefix: "tmp-")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["other", "tmp-\(getpid())-b"])
    }
}
