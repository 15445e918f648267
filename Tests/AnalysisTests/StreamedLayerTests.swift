@testable import Analysis
import Checkpoint
import Foundation
import LinearAlgebra
import MoE
import Testing
import TestSupport

/// The streamed model layer reads the router and then only the experts the tokens select.
@Suite struct StreamedLayerTests {
    /// The data bytes of the tensors whose names contain `part`, in the file `path`.
    static func ranges(_ path: String, containing part: String) throws -> [Range<Int>] {
        let file = try SafeTensorsFile(path: path)
        return try file.names.filter { $0.contains(part) }.map { try file.info($0).fileOffsets }
    }

    /// One random token through a layer of 8 experts (K = 2): the router and the two selected
    /// experts are read, each once; no byte of the other six.
    @Test func onlyTheSelectedExpertsAreRead() throws {
        let directory = try RandomModel.write(.mixtral, d: 32, dFF: 48, seed: 5)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = ReadLog()
        let model = try ModelLayout(directory: directory, open: log.opener)
        let a = try ModelLayerAnalysis(model: model, layer: 0, source: .random(count: 1, seed: 4), jacobianTokens: 0,
                                       rankRtol: 1e-10, tolerance: 1e-4, maxTokens: 16)
        #expect(a.expertsRead == 2)
        let reads = log.reads("model.safetensors")
        let weights = directory + "/model.safetensors"
        let selected = Set(a.structure.routing.utilization.indices.filter { a.structure.routing.utilization[$0] > 0 })
        #expect(selected.count == 2)
        for e in 0..<8 {
            let tensors = try Self.ranges(weights, containing: "experts.\(e).")
            let hits = reads.filter { r in tensors.contains { $0.overlaps(r) } }
            #expect(hits.count == (selected.contains(e) ? 3 : 0), "expert \(e): \(hits.count) reads")
        }
        let router = try Self.ranges(weights, containing: "gate.weight")
        #expect(reads.filter { r in router.contains { $0.overlaps(r) } }.count == 1)
        let data = try Self.ranges(weights, containing: ".")
        #expect(a.bytesRead == reads.filter { r in data.contains { $0.overlaps(r) } }.map(\.count).reduce(0, +))
    }

    /// The streamed block output equals the whole layer's (Float64, all experts) on random tokens.
    @Test func streamedOutputEqualsTheWholeLayer() throws {
        let directory = try RandomModel.write(.deepseekV2, d: 24, dFF: 16, seed: 6)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model = try ModelLayout(directory: directory)
        let inputs = AnalysisInputs.random(count: 7, d: 24, seed: 8)
        let layer = try DAGMoELayer(parameters: model.parameters(layer: 0, Double.self))
        let whole = zip(layer.forward(inputs.x).output.y.data, inputs.x.data).map { $0 - $1 }
        // The whole layer's output as the reference: the streamed block must match it.
        var writer = SafeTensorsWriter()
        try writer.add("x", shape: [7, 24], doubles: inputs.x.data, as: .f64)
        try writer.add("layers.0.moe_out", shape: [7, 24], doubles: whole, as: .f64)
        let file = directory + "/inputs.safetensors"
        try writer.write(to: file)
        let a = try ModelLayerAnalysis(model: model, layer: 0, source: .file(try ModelInputsFile(path: file)),
                                       jacobianTokens: 0, rankRtol: 1e-10, tolerance: 1e-4, maxTokens: 16)
        let r = try #require(a.reference)
        #expect(r.maxRel < 1e-13, "max_rel \(r.maxRel)")
    }
}

/// The streamed analysis's memory bound, from the configuration alone.
@Suite struct StreamedBudgetTests {
    static let config = LayerConfig(dModel: 4096, nExperts: 256, topK: 8, dFF: 14336, dG: 1, dagLayers: 0)

    @Test func oneExpertFitsButNotK() throws {
        // One Float32 expert is 12·d·d_ff = 704,643,072 bytes; with a 2 GB budget one fits, eight do not.
        try ModelLayerAnalysis.checkStreamed(Self.config, jacobian: false, layer: 0, budget: 2_000_000_000)
        do {
            try ModelLayerAnalysis.checkStreamed(Self.config, jacobian: true, layer: 3, budget: 2_000_000_000)
            Issue.record("eight experts passed a 2 GB budget")
        } catch {
            #expect("\(error)".hasPrefix("layer 3: the streamed analysis holds 8 expert(s) of 704643072 bytes in Float32"))
            #expect("\(error)".hasSuffix("2 expert(s) would fit, so --jacobian-tokens 0 runs"))
        }
        #expect(throws: AnalysisError.self) {
            try ModelLayerAnalysis.checkStreamed(Self.config, jacobian: false, layer: 0, budget: 500_000_000)
        }
    }
}
