import Analysis
import Checkpoint
import Foundation
import LinearAlgebra
import MoE
import Testing

/// Which families the streamed path computes (docs/model-layouts.md lists them): every L = 0
/// layer, whatever its router and experts; a stored DAG module is read whole. On every family
/// fixture the streamed analysis equals the whole layer's.
@Suite struct StreamedFamiliesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CheckpointTests/Fixtures/hf")

    static var names: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted()) ?? []
    }

    @Test func everyFamilyIsStreamed() throws {
        #expect(Self.names.count >= 20)
        for name in Self.names {
            let model = try ModelLayout(directory: Self.fixtures.appendingPathComponent(name).path)
            #expect(ModelLayerAnalysis.streams(model.config.layerConfig()), "\(name)")
        }
        #expect(!ModelLayerAnalysis.streams(LayerConfig(dModel: 8, nExperts: 4, topK: 2, dFF: 8, dG: 2, dagLayers: 1)))
    }

    /// Each MoE layer of fixture `name`: the streamed block output equals the whole layer's
    /// (Float64, every expert) to 1e-12 relative with the same top-k, and the matrix-free ranks
    /// equal the dense ones (whose Jacobians come from the whole layer).
    @Test(arguments: names)
    func streamedEqualsWholeLayer(name: String) throws {
        let directory = Self.fixtures.appendingPathComponent(name).path
        let model = try ModelLayout(directory: directory)
        let stored = try ModelInputsFile(path: directory + "/inputs.safetensors")
        let config = model.config.layerConfig()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("streamed-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for layer in model.config.moeLayers {
            let x = try stored.layer(layer, d: config.dModel, k: config.topK, maxTokens: 64).x
            let whole = try DAGMoELayer(parameters: model.parameters(layer: layer, Double.self))
            let out = whole.forward(x).output
            var writer = SafeTensorsWriter()
            try writer.add("layers.\(layer).x", shape: [x.rows, x.cols], doubles: x.data, as: .f64)
            try writer.add("layers.\(layer).moe_out", shape: [x.rows, x.cols],
                           doubles: zip(out.y.data, x.data).map { $0 - $1 }, as: .f64)
            try writer.add("layers.\(layer).topk", shape: [x.rows, config.topK], int64s: out.topk.map(Int64.init))
            let file = scratch.appendingPathComponent("layer\(layer).safetensors").path
            try writer.write(to: file)
            func run(_ method: ExcessRankAnalysis.Method) throws -> ModelLayerAnalysis {
                try ModelLayerAnalysis(model: model, layer: layer, source: .file(try ModelInputsFile(path: file)),
                                       jacobianTokens: 4, rankRtol: 1e-10, tolerance: 1e-12, maxTokens: 64,
                                       rankMethod: method)
            }
            let free = try run(.matrixFree), dense = try run(.dense)
            let r = try #require(free.reference)
            #expect(r.maxRel <= 1e-12, "\(name) layer \(layer): max_rel \(r.maxRel)")
            #expect(r.topkMismatches == 0, "\(name) layer \(layer): top-k")
            #expect(free.expertsRead <= config.nExperts)
            MatrixFreeRankTests.expectSame(try #require(dense.jacobian), try #require(free.jacobian), "\(name) layer \(layer)")
        }
    }
}
