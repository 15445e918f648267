import Foundation
import Testing
import Checkpoint
import MoE

/// The PyTorch fixtures written by tools/make_fixtures.py.
enum LayerFixtures {
    static var urls: [URL] {
        let dir = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") }.sorted().map { dir.appendingPathComponent($0) }
    }

    static func load(_ url: URL) throws -> (LayerCheckpoint, LayerReference<Double>) {
        let checkpoint = try LayerCheckpoint(path: url.path)
        let reference = try #require(try checkpoint.reference(Double.self), "\(url.lastPathComponent) has no ref.x")
        return (checkpoint, reference)
    }
}

@Suite struct FixtureTests {
    /// The fixtures span what the spec allows: both routers, both norms, with and
    /// without a shared expert, L = 0…3, F32 and BF16 weights, random and trained.
    @Test func fixturesCoverTheSpec() throws {
        let layers = try LayerFixtures.urls.map { try LayerCheckpoint(path: $0.path) }
        #expect(layers.count >= 6)
        #expect(Set(layers.map(\.config.router)) == Set(LayerConfig.Router.allCases))
        #expect(Set(layers.map(\.config.norm)) == Set(LayerConfig.Norm.allCases))
        #expect(Set(layers.map(\.config.dagLayers)).isSuperset(of: [0, 1, 2, 3]))
        #expect(Set(layers.map { $0.config.sharedDFF > 0 }) == [true, false])
        #expect(Set(layers.flatMap(\.weightDTypes)) == [.f32, .bf16])
        #expect(layers.contains { $0.file.metadata["trained"] != nil })
        #expect(layers.allSatisfy { $0.notes.isEmpty })
    }
}
