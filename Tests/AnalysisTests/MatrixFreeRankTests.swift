import Analysis
import Checkpoint
import Foundation
import LinearAlgebra
import Testing

/// The matrix-free excess-rank test against the dense one: the same ranks, and the same
/// leading singular values of R, on every committed model fixture and on random layers.
@Suite struct MatrixFreeRankTests {
    /// Both methods on the same layer and tokens.
    static func both(_ directory: String, layer: Int, source: ModelLayerAnalysis.Source,
                     tokens: Int) throws -> (dense: ExcessRankAnalysis, free: ExcessRankAnalysis) {
        let model = try ModelLayout(directory: directory)
        func run(_ method: ExcessRankAnalysis.Method) throws -> ExcessRankAnalysis {
            try #require(try ModelLayerAnalysis(model: model, layer: layer, source: source, jacobianTokens: tokens,
                                                rankRtol: 1e-10, tolerance: 1e-4, maxTokens: 1 << 20,
                                                rankMethod: method).jacobian)
        }
        return (try run(.dense), try run(.matrixFree))
    }

    /// Ranks equal; σ_1…σ_{r+1} of R agree to 1e-9·‖J‖₂ (the values below the tolerance are
    /// round-off in both); the ‖J‖₂ estimate (from below) within 2% of the dense value.
    static func expectSame(_ a: ExcessRankAnalysis, _ b: ExcessRankAnalysis, _ label: String) {
        #expect(a.method == .dense && b.method == .matrixFree)
        #expect(a.tokens.count == b.tokens.count, "\(label)")
        for (x, y) in zip(a.tokens, b.tokens) {
            #expect(x.rank == y.rank, "\(label) token \(x.index): dense rank \(x.rank), matrix-free \(y.rank)")
            #expect(y.normJ <= x.normJ * (1 + 1e-12) && y.normJ >= 0.98 * x.normJ, "\(label) token \(x.index): ‖J‖ \(x.normJ) vs \(y.normJ)")
            for i in 0..<min(x.rank + 1, y.singularValues.count) {
                #expect(abs(x.singularValues[i] - y.singularValues[i]) <= 1e-9 * x.normJ,
                        "\(label) token \(x.index) σ_\(i + 1): \(x.singularValues[i]) vs \(y.singularValues[i])")
            }
            #expect(x.selectionStable == y.selectionStable)
            #expect((y.residualBound ?? .infinity) <= 1e-10 * y.normJ)
        }
        #expect(a.verdict == b.verdict)
    }

    @Test(arguments: ModelLayerAnalysisTests.names)
    func fixturesAgree(name: String) throws {
        let directory = ModelLayerAnalysisTests.models.appendingPathComponent(name).path
        let inputs = try ModelInputsFile(path: directory + "/reference.safetensors")
        for layer in try ModelLayout(directory: directory).config.moeLayers {
            let (dense, free) = try Self.both(directory, layer: layer, source: .file(inputs), tokens: 4)
            Self.expectSame(dense, free, "\(name) layer \(layer)")
        }
    }

    /// Random layers of each router kind and extra at d up to 256, written as hub models.
    @Test(arguments: [RandomModel.Kind.mixtral, .qwen2, .deepseekV2])
    func randomLayersAgree(kind: RandomModel.Kind) throws {
        for (d, ff) in [(64, 96), (256, 128)] {
            let directory = try RandomModel.write(kind, d: d, dFF: ff, seed: UInt64(d))
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let (dense, free) = try Self.both(directory, layer: 0, source: .random(count: 3, seed: 1), tokens: 3)
            Self.expectSame(dense, free, "\(kind) d \(d)")
        }
    }

    /// A rank above the probes: R of full rank is found by growing the probes to d.
    @Test func fullRankGrowsTheProbes() throws {
        var rng = SeededRandom(seed: 3)
        let d = 40, a = rng.normalMatrix(rows: d, cols: d)
        let exact = try a.singularValues()
        let found = try RandomizedSVD.leading(size: d, probes: [d], confirmProbes: [0], powerIterations: 0, seed: 1,
                                              apply: { [Matrix.product(a, $0[0])] },
                                              applyTransposed: { [Matrix.product(a, $0[0], transposeA: true)] })[0]
        for (x, y) in zip(exact, found.values) { #expect(abs(x - y) <= 1e-10 * exact[0]) }
        // With 12 probes and 2 power iterations the leading value is close, and the confirming
        // sketch reports what was missed.
        let partial = try RandomizedSVD.leading(size: d, probes: [12], confirmProbes: [8], powerIterations: 2, seed: 1,
                                                apply: { [Matrix.product(a, $0[0])] },
                                                applyTransposed: { [Matrix.product(a, $0[0], transposeA: true)] })[0]
        #expect(abs(partial.values[0] - exact[0]) <= 0.05 * exact[0])
        #expect((partial.residualBound ?? 0) >= exact[12])
    }
}
