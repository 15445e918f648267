import Foundation
import MoE
import Testing
@testable import Checkpoint

/// The `dagmoe_lm` model directory written by `python -m dagmoe.lm` (tools/make_pytorch_fixtures.py):
/// every block is the spec's layer with its trained DAG rounds.
@Suite struct ModelLayoutNativeTests {
    static let name = "dagmoe_lm"

    @Test func readsTheStoredDAGModule() throws {
        let model = try ModelLayout(directory: ModelFixtures.directory(Self.name))
        #expect(model.config.family == .dagmoeLM)
        #expect(model.config.native == NativeDAGModule(dagLayers: 1, dG: 4, norm: .rmsnorm))
        #expect(model.config.moeLayers == [0, 1])
        let config = model.config.layerConfig()
        #expect(config.dagLayers == 1 && config.dG == 4 && config.nExperts == 4 && config.topK == 2 && config.dFF == 4)
        // Asking for a fresh module on top changes nothing: the model's own is read.
        #expect(model.config.layerConfig(dagLayers: 3, dG: 7) == config)
    }

    @Test(arguments: [0, 1])
    func layerWeightsAreTheSpecCheckpointsWeights(layer: Int) throws {
        let model = try ModelLayout(directory: ModelFixtures.directory(Self.name))
        let fromModel: Parameters<Double> = try model.parameters(layer: layer, dagLayers: 2, dG: 3)
        let file = try LayerCheckpoint(path: ModelFixtures.directory(Self.name) + "/layers/layer_\(layer).safetensors")
        let fromFile: Parameters<Double> = try file.parameters()
        #expect(fromModel.names == fromFile.names)
        for name in fromFile.names { #expect(fromModel[name] == fromFile[name], "\(name)") }
        // Trained in PyTorch: `up` is no longer the spec's zero.
        #expect(fromModel["dag.0.up.weight"].data.contains { $0 != 0 })
    }

    @Test func refusesAChain() throws {
        let dir = try ModelFixtures.copy(Self.name) { url in
            try ModelFixtures.editConfig(url) { $0.replacingOccurrences(of: "\"chain_iterations\": 1", with: "\"chain_iterations\": 2") }
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: ModelLayoutError.self) { try ModelLayout(directory: dir) }
        do { _ = try ModelLayout(directory: dir) } catch { #expect("\(error)".contains("chain_iterations")) }
    }

    @Test func namesABadDAGNorm() throws {
        let dir = try ModelFixtures.copy(Self.name) { url in
            try ModelFixtures.editConfig(url) { $0.replacingOccurrences(of: "\"dag_norm\": \"rmsnorm\"", with: "\"dag_norm\": \"batchnorm\"") }
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try ModelLayout(directory: dir)
            Issue.record("a dag_norm of batchnorm was accepted")
        } catch { #expect("\(error)".contains("dag_norm") && "\(error)".contains("batchnorm")) }
    }
}
