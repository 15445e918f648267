import Checkpoint
import Foundation
import Testing

/// A scratch directory for one test.
private func scratch(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A copy of model fixture `name` whose `file` is replaced by a FIFO with no writer.
private func modelWithFIFO(_ name: String, _ file: String) throws -> URL {
    let dir = try scratch("fifo-model")
    try FileManager.default.removeItem(at: dir)
    try FileManager.default.copyItem(at: URL(fileURLWithPath: ModelCommandFixtures.path(name)), to: dir)
    try FileManager.default.removeItem(at: dir.appendingPathComponent(file))
    #expect(mkfifo(dir.appendingPathComponent(file).path, 0o600) == 0)
    return dir
}

/// A file of `size` bytes (sparse past the header) holding safetensors `header`.
private func sparseFile(_ url: URL, header: String, size: Int) throws {
    let h = Array(header.utf8)
    try Data((0..<8).map { UInt8(truncatingIfNeeded: h.count >> (8 * $0)) } + h).write(to: url)
    let handle = try FileHandle(forWritingTo: url)
    try handle.truncate(atOffset: UInt64(size))
    try handle.close()
}

/// The outside probe's reproducers (issue 17): FIFOs, devices, sparse giants and escape codes
/// each end the command at once with one line on stderr and a non-zero status.
@Suite(.timeLimit(.minutes(1))) struct FileInputCommandTests {
    @Test func fifosAreRefused() throws {
        let config = try modelWithFIFO("mixtral", "config.json")
        let index = try modelWithFIFO("mixtral", "model.safetensors.index.json")
        let shard = try modelWithFIFO("olmoe", "model.safetensors")
        defer { for d in [config, index, shard] { try? FileManager.default.removeItem(at: d) } }
        let out = config.appendingPathComponent("out.safetensors").path
        let fifo = "is a FIFO (named pipe), not a regular file"
        expectOneLineError(try runAnalyze(["count", "--config", config.appendingPathComponent("config.json").path]), fifo, "count")
        for dir in [config, index, shard] {
            expectOneLineError(try runAnalyze(["crosscheck", "--model", dir.path, "--layer", "0"]), fifo, "crosscheck \(dir)")
            expectOneLineError(try runAnalyze(["convert", "--model", dir.path, "--layer", "0", "-o", out]), fifo, "convert \(dir)")
        }
        expectOneLineError(try runAnalyze(["rank", "--experts", "/dev/zero"]), "is a character device, not a regular file", "rank")
        expectOneLineError(try runAnalyze(["crosscheck", config.path]), "is a directory, not a regular file", "crosscheck DIR")
    }

    /// A 103 GB sparse model and a 2.9 GB sparse expert file: sized from their headers and
    /// refused before any allocation, saying what would fit (crosscheck with the dense method,
    /// which holds the layer; the streamed default holds a few experts).
    @Test func sparseGiantsAreRefusedFromTheirHeaders() throws {
        let dir = try scratch("giant")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (d, ff, n) = (4096, 14336, 294)
        try #"{"model_type":"qwen3_moe","hidden_size":\#(d),"num_hidden_layers":1,"moe_intermediate_size":\#(ff),"num_experts":\#(n),"num_experts_per_tok":8}"#
            .write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let (router, gateUp, down) = (2 * n * d, 2 * n * 2 * ff * d, 2 * n * d * ff)
        let p = "model.layers.0.mlp"
        let header = #"{"\#(p).gate.weight":{"dtype":"BF16","shape":[\#(n),\#(d)],"data_offsets":[0,\#(router)]},"#
            + #""\#(p).experts.gate_up_proj":{"dtype":"BF16","shape":[\#(n),\#(2 * ff),\#(d)],"data_offsets":[\#(router),\#(router + gateUp)]},"#
            + #""\#(p).experts.down_proj":{"dtype":"BF16","shape":[\#(n),\#(d),\#(ff)],"data_offsets":[\#(router + gateUp),\#(router + gateUp + down)]}}"#
        try sparseFile(dir.appendingPathComponent("model.safetensors"), header: header, size: 8 + header.utf8.count + router + gateUp + down)
        #expect(router + gateUp + down > 103_000_000_000)
        let out = dir.appendingPathComponent("out.safetensors").path
        for args in [["convert", "--model", dir.path, "--layer", "0", "-o", out], ["crosscheck", "--model", dir.path, "--layer", "0", "--rank-method", "dense"]] {
            expectOneLineError(try runAnalyze(args), "past the budget", args[0])
            expectOneLineError(try runAnalyze(args), "experts (\(3 * ff * d * 8) bytes each) would fit", args[0])
        }
        #expect(!FileManager.default.fileExists(atPath: out))

        let experts = dir.appendingPathComponent("experts.safetensors")
        let e = 27_000, bytes = 4 * e * e
        let expertHeader = #"{"experts.0.weight":{"dtype":"F32","shape":[\#(e),\#(e)],"data_offsets":[0,\#(bytes)]}}"#
        try sparseFile(experts, header: expertHeader, size: 8 + expertHeader.utf8.count + bytes)
        expectOneLineError(try runAnalyze(["rank", "--experts", experts.path]), "not even one expert fits; d ≤ 5792 would", "rank")
    }

    /// Escape sequences and carriage returns from a file reach stderr escaped.
    @Test func fileTextIsEscapedOnStderr() throws {
        let dir = try scratch("escape")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.json")
        try #"{"model_type":"\u001b[31mmixtral\r"}"#.write(to: config, atomically: true, encoding: .utf8)
        for args in [["count", "--config", config.path], ["crosscheck", "--model", dir.path, "--layer", "0", "--rank-method", "dense"]] {
            let r = try runAnalyze(args)
            expectOneLineError(r, #"model_type '\u{1B}[31mmixtral\u{D}' is not a supported MoE layout"#, args[0])
            #expect(!r.stderr.dropLast().unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(r.stderr.debugDescription)")
        }
    }
}
