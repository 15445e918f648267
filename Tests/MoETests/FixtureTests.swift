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

    /// Every reference tensor of every fixture agrees with the Swift layer, in both precisions.
    @Test(arguments: ComputePrecision.allCases)
    func everyFixturePasses(precision: ComputePrecision) throws {
        for url in LayerFixtures.urls {
            let (checkpoint, reference) = try LayerFixtures.load(url)
            let result = try LayerCrosscheck(checkpoint, reference: reference, precision: precision)
            let expected = 6 + checkpoint.config.dagLayers + checkpoint.config.parameterShapes.count
            #expect(result.checks.count == expected, "\(url.lastPathComponent)")
            #expect(result.notes.isEmpty)
            for c in result.checks where !c.ok {
                Issue.record("\(url.lastPathComponent) \(precision): \(c.name) max_rel \(c.maxRel) > \(c.tolerance ?? 0)")
            }
        }
    }

    /// A 1% change of one entry of any checked tensor, or one swapped expert, fails the check.
    @Test func tamperedReferencesFail() throws {
        let url = try #require(LayerFixtures.urls.first { $0.lastPathComponent.hasPrefix("random_l3") })
        let (checkpoint, reference) = try LayerFixtures.load(url)
        var y = reference
        y.y!.data[5] += 0.01 * y.y!.data.map(abs).max()!
        var edges = reference
        edges.edgeGates[2]!.data[0] += 0.01
        var grad = reference
        grad.grad["dag.1.node.weight"]!.data[3] += 0.01 * grad.grad["dag.1.node.weight"]!.data.map(abs).max()!
        var topk = reference
        topk.topk!.swapAt(0, 1)
        for (tampered, name) in [(y, "ref.y"), (edges, "ref.edge_gates.2"), (grad, "ref.grad.dag.1.node.weight"),
                                 (topk, "ref.topk")] {
            let result = try LayerCrosscheck(checkpoint, reference: tampered)
            #expect(!result.passed)
            #expect(result.checks.filter { !$0.ok }.map(\.name) == [name])
        }
    }
}
