import Foundation

/// The result of running the built `analyze` executable.
public struct RunResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// The directory holding the built products (the test bundle sits beside `analyze`).
public func productsDirectory() -> URL {
    var url = Bundle.main.bundleURL
    for _ in 0..<4 {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("analyze").path) { return url }
        url = url.deletingLastPathComponent()
    }
    return Bundle.main.bundleURL
}

/// Runs `analyze` with `arguments` as a subprocess and captures its output;
/// `environment` replaces the inherited one when given.
public func runAnalyze(_ arguments: [String], environment: [String: String]? = nil) throws -> RunResult {
    let process = Process()
    process.executableURL = productsDirectory().appendingPathComponent("analyze")
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return RunResult(status: process.terminationStatus,
                     stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
}
