import Foundation
import Testing
@testable import Checkpoint
import TestSupport

/// What a read fetches (counted through a ``ByteSource``) and how each dtype decodes.
@Suite struct TensorReadTests {
    /// Opening reads the 8-byte length and the header, nothing else; each decode reads exactly
    /// the tensor's bytes, or exactly the bytes of the element range asked for.
    @Test func readsOnlyTheHeaderThenExactlyTheTensor() throws {
        let bytes = [UInt8](try InteropValues.writer().data())
        let source = CountingSource(MemoryByteSource(bytes: bytes))
        let file = try SafeTensorsFile(source: source)
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(source.reads == [0..<8, 8..<(8 + headerLength)])

        for name in file.names {
            let info = try file.info(name)
            let before = source.reads.count
            if info.dtype.isFloat { _ = try file.doubles(name) } else { _ = try file.int64s(name) }
            #expect(Array(source.reads[before...]) == [info.fileOffsets], "\(name)")
        }
        let a = try file.info("a.f32")
        let before = source.reads.count
        #expect(try file.floats("a.f32", elements: 2..<5) == Array(InteropValues.f32[2..<5]))
        #expect(try file.rawBytes("a.f32", elements: 1..<2) == Array(bytes[(a.fileOffsets.lowerBound + 4)..<(a.fileOffsets.lowerBound + 8)]))
        #expect(try file.int64s("d.i64", elements: 3..<4) == [.min])
        let d = try file.info("d.i64")
        #expect(Array(source.reads[before...]) == [
            (a.fileOffsets.lowerBound + 8)..<(a.fileOffsets.lowerBound + 20),
            (a.fileOffsets.lowerBound + 4)..<(a.fileOffsets.lowerBound + 8),
            (d.fileOffsets.lowerBound + 24)..<(d.fileOffsets.lowerBound + 32),
        ])
        // A wrong dtype or an element range outside the tensor reads nothing.
        let count = source.reads.count
        #expect(throws: CheckpointError.wrongDType(tensor: "d.i64", dtype: "I64", wanted: "Float")) { try file.floats("d.i64") }
        #expect(throws: CheckpointError.self) { try file.doubles("a.f32", elements: 4..<7) }
        #expect(source.reads.count == count)
    }

    /// A file on disk is read with pread in the same way: a 4 MB tensor after a 1-element one
    /// costs nothing until it is asked for.
    @Test func fileReadsAreRangeReads() throws {
        var w = SafeTensorsWriter()
        try w.add("small", shape: [1], floats: [7])
        try w.add("big", shape: [1 << 20], floats: [Float](repeating: 1, count: 1 << 20))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ranges-\(UUID().uuidString).safetensors")
        try w.data().write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let source = CountingSource(try FileByteSource(path: url.path))
        let file = try SafeTensorsFile(source: source)
        #expect(try file.floats("small") == [7])
        let small = try file.info("small")
        let dataStart = small.fileOffsets.lowerBound - small.dataOffsets.lowerBound
        #expect(source.reads == [0..<8, 8..<dataStart, small.fileOffsets])
        #expect(source.size > 4 << 20)
    }

    /// Every integer dtype reads as Int64 with element ranges; F8 values decode as the OCP FP8
    /// specification tabulates them (E4M3: 0x38 = 1, 0x7E = 448 the largest, 0x01 = 2⁻⁹ the
    /// smallest subnormal, 0x7F NaN; E5M2: 0x3C = 1, 0x7B = 57344, 0x7C = ∞).
    @Test func everyDTypeDecodes() throws {
        let header = #"{"u16":{"dtype":"U16","shape":[2],"data_offsets":[0,4]},"#
            + #""i8":{"dtype":"I8","shape":[2],"data_offsets":[4,6]},"#
            + #""e4":{"dtype":"F8_E4M3","shape":[5],"data_offsets":[6,11]},"#
            + #""e5":{"dtype":"F8_E5M2","shape":[4],"data_offsets":[11,15]}}"#
        let data: [UInt8] = [0xff, 0xff, 0x02, 0x00, 0x80, 0x7f, 0x38, 0x7e, 0x01, 0x7f, 0xb8, 0x3c, 0x7b, 0x7c, 0xbc]
        let file = try SafeTensorsFile(data: handMade(header, data: data))
        #expect(try file.int64s("u16") == [65535, 2])
        #expect(try file.int64s("i8", elements: 1..<2) == [127])
        #expect(try file.int64s("i8") == [-128, 127])
        let e4 = try file.floats("e4")
        #expect(e4[0] == 1 && e4[1] == 448 && e4[2] == 0x1p-9 && e4[3].isNaN && e4[4] == -1)
        #expect(try file.doubles("e5") == [1, 57344, .infinity, -1])
        #expect(throws: CheckpointError.wrongDType(tensor: "e4", dtype: "F8_E4M3", wanted: "Int64")) { try file.int64s("e4") }
        #expect(throws: CheckpointError.wrongDType(tensor: "i8", dtype: "I8", wanted: "Double")) { try file.doubles("i8") }
    }
}
