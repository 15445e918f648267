import Foundation
import OutputFiles

/// Limits on one cell's command.
public struct CellLimits: Sendable, Equatable {
    /// Seconds the command may run.
    public let seconds: Double
    /// Bytes the command may print, stdout and stderr each.
    public let outputBytes: Int

    public init(seconds: Double, outputBytes: Int) {
        self.seconds = seconds
        self.outputBytes = outputBytes
    }
}

/// What a finished command left: its exit status (or signal) and what it printed.
public struct CellResult: Sendable, Equatable {
    public let status: Int32
    /// Whether `status` is the signal that killed the command.
    public let signaled: Bool
    public let stdout: String
    public let stderr: String
}

/// Why a command was stopped.
public enum CellStop: Error, Equatable, Sendable, CustomStringConvertible {
    case timeLimit(Double)
    case outputCap(Int, stream: String)

    public var description: String {
        switch self {
        case .timeLimit(let seconds):
            return "ran longer than the \(seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)) s time limit and was killed (raise it with --time-limit)"
        case .outputCap(let bytes, let stream):
            return "printed more than \(bytes) bytes on \(stream) and was killed (raise the cap with --output-cap)"
        }
    }
}

/// Runs one command as a child process with a time limit and a cap on its output, reading
/// stdout and stderr as they come (nothing is kept on disk); the child is killed when a limit is
/// passed or this process is interrupted (see ``Cleanup``).
public enum CellProcess {
    public static func run(executable: URL, arguments: [String], directory: URL,
                           limits: CellLimits) throws -> CellResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        let stop = StopFlag()
        let pid = try Cleanup.shared.start {
            try process.run()
            return process.processIdentifier
        }
        defer { Cleanup.shared.forget(child: pid) }
        let readers = DispatchGroup()
        let stdout = CappedReader(out.fileHandleForReading, cap: limits.outputBytes, name: "stdout")
        let stderr = CappedReader(err.fileHandleForReading, cap: limits.outputBytes, name: "stderr")
        for reader in [stdout, stderr] {
            DispatchQueue.global().async(group: readers) {
                if !reader.readAll() {
                    stop.set(.outputCap(limits.outputBytes, stream: reader.name))
                    kill(pid, SIGKILL)
                }
            }
        }
        if finished.wait(timeout: .now() + limits.seconds) == .timedOut {
            stop.set(.timeLimit(limits.seconds))
            kill(pid, SIGKILL)
            finished.wait()
        }
        readers.wait()
        if let reason = stop.value { throw reason }
        return CellResult(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                          stdout: String(decoding: stdout.data, as: UTF8.self),
                          stderr: String(decoding: stderr.data, as: UTF8.self))
    }
}

/// Reads a pipe to its end, keeping at most `cap` bytes.
final class CappedReader: @unchecked Sendable {
    let handle: FileHandle
    let cap: Int
    let name: String
    private(set) var data = Data()

    init(_ handle: FileHandle, cap: Int, name: String) {
        self.handle = handle
        self.cap = cap
        self.name = name
    }

    /// Reads until end of file; false as soon as more than `cap` bytes came.
    func readAll() -> Bool {
        defer { try? handle.close() }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return true }
            guard data.count + count <= cap else { return false }
            data.append(contentsOf: buffer[0..<count])
        }
    }
}

/// The first reason a command was stopped, set from any thread.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: CellStop?

    func set(_ value: CellStop) {
        lock.lock(); defer { lock.unlock() }
        if reason == nil { reason = value }
    }

    var value: CellStop? {
        lock.lock(); defer { lock.unlock() }
        return reason
    }
}
