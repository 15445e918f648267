import Foundation
import Testing
@testable import Checkpoint
import MoE
#if canImport(Glibc)
import Glibc
#endif

/// A fresh scratch directory.
func scratchDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Makes `url` a FIFO with no writer.
func makeFIFO(_ url: URL) throws {
    try? FileManager.default.removeItem(at: url)
    guard mkfifo(url.path, 0o600) == 0 else { throw CheckpointError.unwritable(path: url.path, reason: "mkfifo failed") }
}

/// Files that are not regular files are refused by name, at once: a FIFO would block an
/// ordinary `open` forever, /dev/zero never ends. The time limit turns a regression into a
/// failure instead of a hang.
@Suite(.timeLimit(.minutes(1))) struct FileInputTests {
    @Test func fifoDeviceDirectoryLoopAndMissingFile() throws {
        let dir = try scratchDirectory("file-input")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe.safetensors")
        try makeFIFO(fifo)
        let loop = dir.appendingPathComponent("loop.safetensors")
        try FileManager.default.createSymbolicLink(atPath: loop.path, withDestinationPath: dir.appendingPathComponent("loop2").path)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("loop2").path, withDestinationPath: loop.path)
        let cases: [(String, String)] = [
            (fifo.path, "it is a FIFO (named pipe), not a regular file"),
            ("/dev/zero", "it is a character device, not a regular file"),
            (dir.path, "it is a directory, not a regular file"),
            (loop.path, "symbolic links"),
            (dir.appendingPathComponent("absent").path, "no such file"),
        ]
        for (path, words) in cases {
            #expect {
                try SafeTensorsFile(path: path)
            } throws: { error in
                let text = "\(error)"
                return text.hasPrefix("cannot read \(path): ") && text.contains(words)
            }
        }
        #expect(throws: CheckpointError.notRegularFile(path: "/dev/zero", kind: "a character device")) {
            try FileByteSource(path: "/dev/zero")
        }
    }

    /// A FIFO as config.json, as the shard index or as the weights stops the model reader
    /// with a one-line error naming the file.
    @Test(arguments: ["config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors"])
    func fifoInAModelDirectory(_ name: String) throws {
        let dir = URL(fileURLWithPath: try ModelFixtures.copy("mixtral") { url in try makeFIFO(url.appendingPathComponent(name)) })
        let path = dir.appendingPathComponent(name).path
        #expect {
            let model = try ModelLayout(directory: dir.path)
            let _: Parameters<Double> = try model.parameters(layer: 0)
        } throws: { error in
            "\(error)".contains("cannot read \(path): it is a FIFO (named pipe), not a regular file")
        }
        if name == "config.json" {
            #expect(throws: ModelLayoutError.file(.notRegularFile(path: path, kind: "a FIFO (named pipe)"))) {
                try ModelMoEConfig(path: path)
            }
        }
    }

    /// JSON files are refused by the size fstat reports, before a byte is read: a sparse
    /// 1 GB config.json costs nothing.
    @Test func oversizedJSONIsRefusedBeforeReading() throws {
        let dir = URL(fileURLWithPath: try ModelFixtures.copy("olmoe") { url in
            let handle = try FileHandle(forWritingTo: url.appendingPathComponent("config.json"))
            try handle.truncate(atOffset: 1 << 30)
            try handle.close()
        })
        let path = dir.appendingPathComponent("config.json").path
        #expect(throws: ModelLayoutError.file(.fileTooLarge(path: path, size: 1 << 30, limit: 64 << 20))) {
            try ModelLayout(directory: dir.path)
        }
    }
}
