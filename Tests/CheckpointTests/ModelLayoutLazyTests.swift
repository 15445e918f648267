import Foundation
import Testing
@testable import Checkpoint
import MoE
import TestSupport

/// Reading one layer touches only that layer's bytes: headers, then exactly the byte
/// ranges of its MoE tensors.
@Suite struct ModelLayoutLazyTests {
    /// The sharded Mixtral fixture keeps layer 1 in the second shard: reading layer 0
    /// never opens it, and reads from the first shard only the header and layer 0's MoE tensors.
    @Test func shardOfAnotherLayerIsNeverOpened() throws {
        let log = ReadLog()
        let model = try ModelLayout(directory: ModelFixtures.directory("mixtral"), open: log.opener)
        let _: Parameters<Double> = try model.parameters(layer: 0)
        #expect(log.reads("model-00002-of-00002.safetensors").isEmpty)

        let layout = try model.layout(layer: 0)
        var wanted = Set<Range<Int>>()
        var headerEnd = 0
        for source in layout.sources {
            let (info, _) = try model.tensorInfo(source.tensor)
            wanted.insert(info.fileOffsets)
            headerEnd = info.fileOffsets.lowerBound - info.dataOffsets.lowerBound
        }
        let reads = log.reads("model-00001-of-00002.safetensors")
        let dataReads = reads.filter { $0.lowerBound >= headerEnd }
        #expect(Set(dataReads) == wanted)
        #expect(reads.map(\.count).reduce(0, +) == headerEnd + wanted.map(\.count).reduce(0, +))

        let _: Parameters<Double> = try model.parameters(layer: 1)
        #expect(!log.reads("model-00002-of-00002.safetensors").isEmpty)
    }

    /// In a single file, no read of layer 0 overlaps any byte of a layer-1 tensor.
    @Test(arguments: ["qwen2_moe", "qwen3_moe"])
    func singleFileReadsAvoidTheOtherLayer(_ name: String) throws {
        let log = ReadLog()
        let model = try ModelLayout(directory: ModelFixtures.directory(name), open: log.opener)
        let _: Parameters<Float> = try model.parameters(layer: 0)
        let file = try SafeTensorsFile(path: ModelFixtures.directory(name) + "/model.safetensors")
        let layer1 = try file.names.filter { $0.hasPrefix("model.layers.1.") }.map { try file.info($0).fileOffsets }
        #expect(!layer1.isEmpty)
        for read in log.reads("model.safetensors") {
            #expect(!layer1.contains { $0.overlaps(read) }, "read \(read) touches layer 1")
        }
    }

    /// A copy whose layer-1 bytes are poisoned (a NaN in one expert) still loads layer 0
    /// exactly, and layer 1 fails naming the tensor and the element.
    @Test func poisonedLayerOneDoesNotAffectLayerZero() throws {
        let original = try ModelLayout(directory: ModelFixtures.directory("olmoe"))
        let target = "model.layers.1.mlp.experts.3.up_proj.weight"
        let dir = try ModelFixtures.copy("olmoe") { url in
            let path = url.appendingPathComponent("model.safetensors").path
            let offset = try SafeTensorsFile(path: path).info(target).fileOffsets.lowerBound + 5 * 2
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: Data([0x00, 0x7e]))   // F16 NaN, little-endian
            try handle.close()
        }
        let poisoned = try ModelLayout(directory: dir)
        let a: Parameters<Double> = try original.parameters(layer: 0)
        let b: Parameters<Double> = try poisoned.parameters(layer: 0)
        #expect(a.tensors == b.tensors)
        #expect {
            let _: Parameters<Double> = try poisoned.parameters(layer: 1)
        } throws: { error in
            guard case let ModelLayoutError.nonFinite(tensor, index, value) = error else { return false }
            return tensor == target && index == 5 && value.isNaN
        }
    }

    /// A file read through `pread` and the same bytes in memory give the same names, metadata,
    /// entries and values on every fixture file, and the same error on broken headers.
    @Test func fileAndMemorySourcesAgree() throws {
        for name in ModelFixtures.names {
            let dir = URL(fileURLWithPath: ModelFixtures.directory(name))
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".safetensors") {
                let path = dir.appendingPathComponent(file).path
                let whole = try SafeTensorsFile(data: Data(contentsOf: URL(fileURLWithPath: path))), lazy = try SafeTensorsFile(path: path)
                #expect(whole.names == lazy.names && whole.metadata == lazy.metadata)
                for t in whole.names where try whole.info(t).dtype.isWeightFloat {
                    #expect(try whole.info(t) == lazy.info(t))
                    #expect(try whole.doubles(t) == lazy.doubles(t))
                }
            }
        }
        func file(_ header: String, data: Int) -> [UInt8] {
            let h = Array(header.utf8)
            return (0..<8).map { UInt8(truncatingIfNeeded: h.count >> (8 * $0)) } + h + [UInt8](repeating: 0, count: data)
        }
        let bad: [[UInt8]] = [
            [1, 2, 3],
            [200, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d],
            file("{\"a\":1}", data: 0),
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,9]}}", data: 10),
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data: 4),
            file("{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", data: 8),
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                 + "\"v\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data: 8),
            file("{\"__metadata__\":{\"k\":1}}", data: 0),
        ]
        for bytes in bad {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).safetensors")
            try Data(bytes).write(to: url)
            var wholeError: CheckpointError?, lazyError: CheckpointError?
            do { _ = try SafeTensorsFile(data: Data(bytes)) } catch { wholeError = error }
            do { _ = try SafeTensorsFile(path: url.path) } catch { lazyError = error }
            #expect(wholeError != nil && wholeError == lazyError, "\(bytes.prefix(12))")
        }
    }
}
