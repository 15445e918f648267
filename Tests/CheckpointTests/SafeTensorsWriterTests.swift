import Foundation
import Testing
@testable import Checkpoint

/// The tensors of the interoperability fixtures, shared with tools/safetensors_interop.py.
enum InteropValues {
    static let metadata = ["format": "pt", "written_by": "swift"]
    static let f32: [Float] = [0.5, -1.25, 3, 1e-3, 65504, -0.0]
    static let f64: [Double] = [0.1, -1e300, .leastNonzeroMagnitude]
    static let bf16Source: [Float] = [1, 1 + 0x1p-8, 3.14159, -2.5e-3]
    static let bf16Rounded: [Double] = [1, 1, 3.140625, -0.00250244140625]
    static let i64: [Int64] = [0, -1, .max, .min]

    static func writer() throws -> SafeTensorsWriter {
        var w = SafeTensorsWriter(metadata: metadata)
        try w.add("a.f32", shape: [2, 3], floats: f32)
        try w.add("b.f64", shape: [3], doubles: f64, as: .f64)
        try w.add("c.bf16", shape: [2, 2], floats: bf16Source, as: .bf16)
        try w.add("d.i64", shape: [4], int64s: i64)
        try w.add("e.scalar", shape: [], doubles: [2.5])
        return w
    }
}

func fixtureData(_ name: String) throws -> Data {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    return try Data(contentsOf: url)
}

@Suite struct SafeTensorsWriterTests {
    @Test func roundTripsEveryDType() throws {
        let data = try InteropValues.writer().data()
        let file = try SafeTensorsFile(data: data)
        #expect(file.names == ["a.f32", "b.f64", "c.bf16", "d.i64", "e.scalar"])
        #expect(file.metadata == InteropValues.metadata)
        #expect(try file.floats("a.f32") == InteropValues.f32)
        #expect(try file.doubles("b.f64") == InteropValues.f64)
        #expect(try file.doubles("c.bf16") == InteropValues.bf16Rounded)
        #expect(try file.info("c.bf16").dtype == .bf16)
        #expect(try file.int64s("d.i64") == InteropValues.i64)
        #expect(try file.info("e.scalar").shape == [])
        #expect(try file.doubles("e.scalar") == [2.5])
    }

    @Test func headerIsPaddedToEightBytes() throws {
        let bytes = [UInt8](try InteropValues.writer().data())
        let length = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(length % 8 == 0)
        #expect(bytes[8 + length - 1] == 0x20 || bytes[8 + length - 1] == UInt8(ascii: "}"))
    }

    /// The committed file was written by this writer and checked by Python's
    /// `safetensors` (tools/safetensors_interop.py check); the bytes must not drift.
    @Test func writerOutputMatchesTheFilePythonLoads() throws {
        #expect(try InteropValues.writer().data() == fixtureData("swift_written.safetensors"))
    }

    /// Written by Python's `safetensors` (tools/safetensors_interop.py write).
    @Test func readsTheFilePythonWrote() throws {
        let file = try SafeTensorsFile(data: fixtureData("python_written.safetensors"))
        #expect(file.metadata == ["format": "pt", "written_by": "python"])
        #expect(try file.floats("a.f32") == InteropValues.f32)
        #expect(try file.doubles("b.f64") == InteropValues.f64)
        #expect(try file.doubles("c.bf16") == InteropValues.bf16Rounded)
        #expect(try file.doubles("f.f16") == [1, -2, 65504, 0x1p-24, 0.333251953125])
        #expect(try file.int64s("d.i64") == InteropValues.i64)
        #expect(try file.info("a.f32").shape == [2, 3])
    }

    @Test func rejectsDuplicateNamesAndWrongCounts() throws {
        var w = SafeTensorsWriter()
        try w.add("a", shape: [1], floats: [1])
        #expect(throws: CheckpointError.duplicateTensor("a")) { try w.add("a", shape: [1], floats: [1]) }
        #expect(throws: CheckpointError.duplicateTensor("__metadata__")) { try w.add("__metadata__", shape: [1], floats: [1]) }
        #expect(throws: CheckpointError.valueCountMismatch(tensor: "b", shape: [2, 2], count: 3)) {
            try w.add("b", shape: [2, 2], doubles: [1, 2, 3])
        }
        #expect(throws: CheckpointError.valueCountMismatch(tensor: "c", shape: [-1], count: 1)) {
            try w.add("c", shape: [-1], int64s: [1])
        }
    }

    @Test func escapesNamesAndMetadata() throws {
        var w = SafeTensorsWriter(metadata: ["quote\"key": "line\nbreak\\"])
        try w.add("tab\tname", shape: [1], floats: [1])
        let file = try SafeTensorsFile(data: w.data())
        #expect(file.names == ["tab\tname"])
        #expect(file.metadata == ["quote\"key": "line\nbreak\\"])
    }

    @Test func writesAndReadsAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try InteropValues.writer().write(to: path)
        #expect(try SafeTensorsFile(path: path).int64s("d.i64") == InteropValues.i64)
        #expect(throws: CheckpointError.self) { try SafeTensorsFile(path: path + ".missing") }
    }
}
