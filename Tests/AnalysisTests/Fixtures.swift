import Checkpoint
import Foundation
import LinearAlgebra
import MoE

/// The PyTorch fixtures of Tests/MoETests/Fixtures (tools/make_fixtures.py), by path.
enum LayerFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("MoETests/Fixtures")

    static var paths: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") }.sorted().map { directory.appendingPathComponent($0).path }
    }

    static func path(prefix: String) -> String? {
        paths.first { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix(prefix) }
    }
}

/// A small layer with seeded weights, for tests that need a layer without a file.
func smallLayer(dagLayers: Int = 1, router: LayerConfig.Router = .softmaxTopK, experts: Int = 4, topK: Int = 2,
                d: Int = 6, seed: UInt64 = 3) throws -> DAGMoELayer<Double> {
    let config = LayerConfig(dModel: d, nExperts: experts, topK: topK, dFF: 5, dG: 3, dagLayers: dagLayers,
                             router: router)
    return try DAGMoELayer(parameters: Parameters<Float>(initializing: config, seed: seed).converted(to: Double.self))
}
