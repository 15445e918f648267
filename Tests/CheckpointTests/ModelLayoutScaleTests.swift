import Foundation
import Testing
@testable import Checkpoint
import MoE

/// A model directory with `config` as config.json and a model.safetensors whose header lists
/// `tensors` (name, dtype, shape) back to back over a sparse data section: a file of any
/// claimed size that costs only its header on disk.
func sparseModel(config: String, tensors: [(String, String, [Int])]) throws -> URL {
    let dir = try scratchDirectory("sparse-model")
    try config.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
    var entries: [String] = [], offset = 0
    for (name, dtype, shape) in tensors {
        let size = shape.reduce(1, *) * (SafeTensorsDType(rawValue: dtype)?.size ?? 1)
        entries.append("\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(offset + size)]}")
        offset += size
    }
    let header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
    let url = dir.appendingPathComponent("model.safetensors")
    var bytes: [UInt8] = []
    bytes.appendLE(UInt64(header.count))
    try Data(bytes + header).write(to: url)
    let handle = try FileHandle(forWritingTo: url)
    try handle.truncate(atOffset: UInt64(8 + header.count + offset))
    try handle.close()
    return dir
}

/// A Mixtral config.json with `experts` experts of width `ff` on d = `d`.
func mixtralConfig(d: Int, ff: Int, experts: Int, layers: Int = 1) -> String {
    #"{"model_type":"mixtral","hidden_size":\#(d),"num_hidden_layers":\#(layers),"intermediate_size":\#(ff),"#
        + #""num_local_experts":\#(experts),"num_experts_per_tok":1}"#
}

/// Sizes a config.json or a header may claim: checked against the real tensors first, in
/// time linear in the experts, and against a memory budget before anything is allocated.
@Suite(.timeLimit(.minutes(1))) struct ModelLayoutScaleTests {
    /// 100,000 experts claimed against a router of 8: refused at the router, at once.
    @Test func routerShapeIsComparedFirst() throws {
        let p = "model.layers.0.block_sparse_moe"
        let dir = try sparseModel(config: mixtralConfig(d: 16, ff: 8, experts: 100_000), tensors: [
            ("\(p).gate.weight", "F32", [8, 16]), ("\(p).experts.0.w1.weight", "F32", [8, 16]),
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = Date()
        #expect(throws: ModelLayoutError.wrongShape(tensor: "\(p).gate.weight", shape: [8, 16], expected: [100_000, 16])) {
            try ModelLayout(directory: dir.path).layout(layer: 0)
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    /// 20,000 real experts (60,001 tensors): the layout lists every source once, in linear time
    /// (the check per tensor against all listed before took past 30 s at 100,000 experts).
    @Test func layoutIsLinearInTheExperts() throws {
        let n = 20_000, p = "model.layers.0.block_sparse_moe"
        var tensors = [("\(p).gate.weight", "BF16", [n, 1])]
        for e in 0..<n {
            for w in ["w1", "w2", "w3"] { tensors.append(("\(p).experts.\(e).\(w).weight", "BF16", [1, 1])) }
        }
        let dir = try sparseModel(config: mixtralConfig(d: 1, ff: 1, experts: n), tensors: tensors)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try ModelLayout(directory: dir.path)
        let start = Date()
        let layout = try model.layout(layer: 0)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(layout.sources.count == 1 + 3 * n && layout.ignored.isEmpty)
        #expect(layout.sources.last?.tensor == "\(p).experts.\(n - 1).w3.weight")
    }

    /// A 103 GB (sparse) layer: the weights are sized from the headers and refused before any
    /// allocation; the message says how many experts the budget holds.
    @Test func memoryBudgetIsCheckedFromTheHeaders() throws {
        let (d, ff, n) = (4096, 14336, 294)
        let p = "model.layers.0.mlp"
        let config = #"{"model_type":"qwen3_moe","hidden_size":\#(d),"num_hidden_layers":1,"moe_intermediate_size":\#(ff),"#
            + #""num_experts":\#(n),"num_experts_per_tok":8,"norm_topk_prob":true}"#
        let dir = try sparseModel(config: config, tensors: [
            ("\(p).gate.weight", "BF16", [n, d]), ("\(p).experts.gate_up_proj", "BF16", [n, 2 * ff, d]),
            ("\(p).experts.down_proj", "BF16", [n, d, ff]),
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let size = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("model.safetensors").path)[.size] as! Int
        #expect(size > 103_000_000_000)
        let model = try ModelLayout(directory: dir.path)
        #expect {
            let _: Parameters<Double> = try model.parameters(layer: 0)
        } throws: { error in
            guard case let ModelLayoutError.overBudget(layer, scalar, bytes, _, _) = error else { return false }
            // 8 bytes per value of the router and 3·ff·d per expert, plus one expert slice in Float64.
            return layer == 0 && scalar == "Double" && bytes == 8 * (n * d + 3 * n * ff * d) + 8 * ff * d
        }
        // 10 GB in Float: (10^10 − router − the largest slice as Float64) / (3·ff·d·4) experts.
        let perExpert = 3 * ff * d * 4, fixed = 4 * n * d + 8 * ff * d
        #expect {
            let _: Parameters<Float> = try model.parameters(layer: 0, budget: 10_000_000_000)
        } throws: { error in
            "\(error)".contains("\((10_000_000_000 - fixed) / perExpert) of its \(n) experts (\(perExpert) bytes each) would fit")
        }
    }
}
