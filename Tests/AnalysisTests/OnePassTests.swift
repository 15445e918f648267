import Analysis
import Checkpoint
import Foundation
import MoE
import Testing
import TestSupport

/// What the analysis of a checkpoint reads: each weight tensor once, and nothing at all
/// when the work asked for is over budget.
@Suite struct OnePassTests {
    /// Opens `path` through a counting source.
    static func counted(_ path: String) throws -> (LayerCheckpoint, CountingSource, SafeTensorsFile) {
        let source = CountingSource(try FileByteSource(path: path))
        let file = try SafeTensorsFile(source: source)
        return (try LayerCheckpoint(file: file), source, file)
    }

    /// The 1-layer trained fixture: after the header, every weight and every reference tensor
    /// is read exactly once, in both precisions.
    @Test(arguments: ComputePrecision.allCases)
    func eachTensorIsReadOnce(precision: ComputePrecision) throws {
        let path = try #require(LayerFixtures.path(prefix: "trained_l1"))
        let (checkpoint, source, file) = try Self.counted(path)
        let afterHeader = source.reads.count
        var options = CheckpointAnalysis.Options()
        options.precision = precision
        options.jacobianTokens = 2
        let analysis = try CheckpointAnalysis(checkpoint: checkpoint, path: path, options: options)
        #expect(analysis.pass == true)
        let reads = source.reads.dropFirst(afterHeader)
        for name in file.names {
            let range = try file.info(name).fileOffsets
            let times = reads.filter { $0.overlaps(range) }.count
            #expect(times == (range.isEmpty ? 0 : 1), "\(name) read \(times) times")
        }
        var stored = 0
        for name in file.names { stored += try file.info(name).fileOffsets.count }
        let read = reads.map(\.count).reduce(0, +)
        #expect(read == stored)
    }

    /// A checkpoint whose ref.x asks for more activations than the budget stops before any
    /// tensor is decoded: only the header is read.
    @Test func overBudgetReadsNoTensor() throws {
        let config = LayerConfig(dModel: 1, nExperts: 1024, topK: 1024, dFF: 1, dG: 1, dagLayers: 1)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("big.safetensors").path
        var writer = try LayerCheckpoint.writer(Parameters<Double>(zeros: config))
        try writer.add(ReferenceName.x, shape: [1024, 1], doubles: [Double](repeating: 0.5, count: 1024))
        try writer.write(to: path)
        let (checkpoint, source, _) = try Self.counted(path)
        let afterHeader = source.reads.count
        #expect(throws: AnalysisError.self) {
            try CheckpointAnalysis(checkpoint: checkpoint, path: path, options: CheckpointAnalysis.Options())
        }
        #expect(source.reads.count == afterHeader)
    }
}
