import Foundation
import LinearAlgebra
import Testing
@testable import Checkpoint

/// A safetensors file from a header text and data bytes, built by hand.
func handMade(_ header: String, data: [UInt8] = [], headerLength: UInt64? = nil) -> Data {
    var out: [UInt8] = []
    out.appendLE(headerLength ?? UInt64(header.utf8.count))
    out += Array(header.utf8)
    out += data
    return Data(out)
}

/// The error opening `data` throws, or nil when it opens.
func openError(_ data: Data) -> CheckpointError? {
    do {
        _ = try SafeTensorsFile(data: data)
        return nil
    } catch {
        return error
    }
}

@Suite struct SafeTensorsReadTests {
    @Test func readsHandMadeFileWithEveryFloatWidth() throws {
        // F32 1.5, -2 | F16 1, -2, 65504, 2^-24, -0 | BF16 1, 3.140625 | I64 -3 | F64 0.1
        var data: [UInt8] = []
        data.appendLE(Float(1.5).bitPattern); data.appendLE(Float(-2).bitPattern)
        for h: UInt16 in [0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000] { data.appendLE(h) }
        for b: UInt16 in [0x3f80, 0x4049] { data.appendLE(b) }
        data.appendLE(UInt64(bitPattern: -3))
        data.appendLE(Double(0.1).bitPattern)
        let header = """
            {"__metadata__":{"format":"pt","d_model":"8"},\
            "a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
            "h":{"dtype":"F16","shape":[5],"data_offsets":[8,18]},\
            "b":{"dtype":"BF16","shape":[1,2],"data_offsets":[18,22]},\
            "i":{"dtype":"I64","shape":[],"data_offsets":[22,30]},\
            "d":{"dtype":"F64","shape":[1],"data_offsets":[30,38]}}
            """
        let file = try SafeTensorsFile(data: handMade(header, data: data))
        #expect(file.names == ["a", "h", "b", "i", "d"])
        #expect(file.metadata == ["format": "pt", "d_model": "8"])
        #expect(try file.floats("a") == [1.5, -2])
        let h = try file.doubles("h")
        #expect(h == [1, -2, 65504, 0x1p-24, 0])
        #expect(h[4].sign == .minus)
        #expect(try file.doubles("b") == [1, 3.140625])
        #expect(try file.info("b").shape == [1, 2])
        #expect(try file.info("b").fileOffsets == (8 + header.utf8.count + 18)..<(8 + header.utf8.count + 22))
        #expect(try file.int64s("i") == [-3])
        #expect(try file.info("i").count == 1)
        #expect(try file.doubles("d") == [0.1])
        #expect(try file.floats("d") == [Float(0.1)])
    }

    @Test func f16SpecialValuesWidenExactly() {
        #expect(HalfFloat.float(fromF16: 0x7c00) == .infinity)
        #expect(HalfFloat.float(fromF16: 0xfc00) == -.infinity)
        #expect(HalfFloat.float(fromF16: 0x7e00).isNaN)
        #expect(HalfFloat.float(fromF16: 0x03ff) == Float(1023) * 0x1p-24)
        #expect(HalfFloat.float(fromF16: 0x0400) == 0x1p-14)
        #expect(HalfFloat.float(fromF16: 0x3555) == Float(0x555) * 0x1p-12)
    }

    @Test func bf16RoundsToNearestEven() {
        #expect(HalfFloat.bf16(from: 1) == 0x3f80)
        #expect(HalfFloat.bf16(from: 1 + 0x1p-8) == 0x3f80)       // tie, to even
        #expect(HalfFloat.bf16(from: 1 + 3 * 0x1p-8) == 0x3f82)   // tie, to even
        #expect(HalfFloat.bf16(from: 1 + 0x1p-8 + 0x1p-20) == 0x3f81)
        #expect(HalfFloat.bf16(from: -.infinity) == 0xff80)
        #expect(HalfFloat.float(fromBF16: HalfFloat.bf16(from: .nan)).isNaN)
        #expect(HalfFloat.bf16(from: .greatestFiniteMagnitude) == 0x7f80)   // rounds up to infinity
    }

    @Test func wrongDTypeAndMissingTensorAreErrors() throws {
        let file = try SafeTensorsFile(data: handMade(
            #"{"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)))
        #expect(throws: CheckpointError.wrongDType(tensor: "i", dtype: "I64", wanted: "Double")) { try file.doubles("i") }
        #expect(throws: CheckpointError.noSuchTensor("x")) { try file.floats("x") }
    }

    @Test func gapsAndZeroSizedTensorsAreAccepted() throws {
        let file = try SafeTensorsFile(data: handMade(
            #"{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]},"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}"#,
            data: [9, 9, 7, 255]))
        #expect(try file.floats("e") == [])
        #expect(try file.int64s("a") == [7, 255])
    }
}

@Suite struct SafeTensorsValidationTests {
    let f32x2 = #""dtype":"F32","shape":[2],"data_offsets":[0,8]"#
    let eight = [UInt8](repeating: 0, count: 8)

    @Test func fileShorterThanHeaderLength() {
        #expect(openError(Data([1, 2, 3])) == .tooShort(size: 3))
    }

    @Test func headerLengthPastEndOfFile() {
        #expect(openError(handMade("{}", headerLength: 3)) == .headerPastEnd(headerLength: 3, fileSize: 10))
        #expect(openError(handMade("{}", headerLength: .max)) == .headerPastEnd(headerLength: .max, fileSize: 10))
    }

    @Test func invalidJSONNamesTheByteOffset() {
        // The 'x' sits at header byte 6, file byte 14.
        #expect(openError(handMade(#"{"a": x}"#)) == .invalidJSON(offset: 14, reason: "unexpected character"))
        #expect(openError(handMade(#"{"a": 1"#)) == .invalidJSON(offset: 15, reason: "expected ',' or '}' in an object"))
        #expect(openError(handMade("{} {}")) == .invalidJSON(offset: 11, reason: "unexpected text after the JSON value"))
        #expect(openError(handMade(#"{"a": 01}"#)) != nil)
        #expect(openError(handMade("\"\u{1}\"")) != nil)
        let deep = String(repeating: "[", count: 100_000)
        if case .invalidJSON(_, let reason)? = openError(handMade(deep)) {
            #expect(reason.contains("nesting"))
        } else {
            Issue.record("deep nesting was not rejected as invalid JSON")
        }
        var badUTF8 = handMade("{\"\u{e9}\":1}")
        badUTF8[10] = 0xff
        #expect(openError(badUTF8) == .invalidJSON(offset: 9, reason: "string is not valid UTF-8"))
    }

    @Test func headerThatIsNotAnObject() {
        #expect(openError(handMade("[1, 2]")) == .headerNotObject)
        #expect(openError(handMade(#""text""#)) == .headerNotObject)
    }

    @Test func unknownDType() {
        #expect(openError(handMade(#"{"w":{"dtype":"F12","shape":[2],"data_offsets":[0,8]}}"#, data: eight))
                == .unknownDType(tensor: "w", dtype: "F12"))
    }

    @Test func elementCountOverflow() {
        let big = #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#
        #expect(openError(handMade(big, data: eight)) == .elementCountOverflow(tensor: "w", shape: [1 << 32, 1 << 32]))
        // The element count fits but its byte size does not.
        let bytes = #"{"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}"#
        #expect(openError(handMade(bytes, data: eight)) == .elementCountOverflow(tensor: "w", shape: [1 << 61]))
        // Past Int64 altogether: not an integer the reader accepts.
        let huge = #"{"w":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}}"#
        #expect(openError(handMade(huge, data: eight)) == .invalidEntry(
            tensor: "w", reason: "'shape' holds something other than a non-negative integer"))
    }

    @Test func shapeDisagreesWithByteRange() {
        let h = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        #expect(openError(handMade(h, data: eight))
                == .shapeMismatch(tensor: "w", shape: [3], dtype: "F32", expectedBytes: 12, byteRange: 0..<8))
    }

    @Test func offsetsOutsideTheData() {
        let h = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        #expect(openError(handMade(h, data: eight)) == .offsetsOutsideData(tensor: "w", byteRange: 4..<12, dataSize: 8))
        let reversed = #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#
        #expect(openError(handMade(reversed, data: eight))
                == .invalidEntry(tensor: "w", reason: "data_offsets [8, 0] end before they begin"))
    }

    @Test func overlappingTensors() {
        let h = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        let headerSize = h.utf8.count
        #expect(openError(handMade(h, data: eight)) == .overlappingTensors("a", "b", fileOffset: 8 + headerSize + 4))
    }

    @Test func duplicateNames() {
        let h = "{\"a\":{\(f32x2)},\"a\":{\(f32x2)}}"
        #expect(openError(handMade(h, data: eight)) == .duplicateTensor("a"))
    }

    @Test func malformedEntries() {
        #expect(openError(handMade(#"{"a":{"dtype":"F32","shape":[2]}}"#, data: eight))
                == .invalidEntry(tensor: "a", reason: "missing key 'data_offsets'"))
        #expect(openError(handMade(#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: eight))
                == .invalidEntry(tensor: "a", reason: "'shape' holds something other than a non-negative integer"))
        #expect(openError(handMade(#"{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}"#, data: eight)) != nil)
        #expect(openError(handMade(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, data: eight))
                == .invalidEntry(tensor: "a", reason: "'data_offsets' is not a pair of non-negative integers"))
        #expect(openError(handMade(#"{"a":[]}"#)) == .invalidEntry(tensor: "a", reason: "entry is an array, not an object"))
        #expect(openError(handMade(#"{"a":{"dtype":7,"shape":[],"data_offsets":[0,0]}}"#))
                == .invalidEntry(tensor: "a", reason: "'dtype' is not a string"))
    }

    @Test func metadataMustBeStrings() {
        #expect(openError(handMade(#"{"__metadata__":{"d_model":8}}"#))
                == .invalidMetadata(key: "d_model", reason: "value is a number, not a string"))
        #expect(openError(handMade(#"{"__metadata__":[]}"#))
                == .invalidMetadata(key: "__metadata__", reason: "is an array, not an object"))
    }

    @Test func errorsDescribeTheirSubject() {
        #expect(CheckpointError.overlappingTensors("a", "b", fileOffset: 40).description == "tensors 'a' and 'b' overlap at byte offset 40")
        #expect(CheckpointError.shapeMismatch(tensor: "w", shape: [3], dtype: "F32", expectedBytes: 12, byteRange: 0..<8)
            .description == "tensor 'w': shape [3] of F32 needs 12 bytes but data_offsets [0, 8] hold 8")
    }

    /// Every truncation and many random byte edits of a valid file either open or
    /// throw a `CheckpointError`; none traps.
    @Test func mutatedFilesNeverTrap() throws {
        var w = SafeTensorsWriter(metadata: ["k": "v"])
        try w.add("a", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        try w.add("b", shape: [2], int64s: [7, -8])
        try w.add("c", shape: [3], doubles: [0.5, 1, 2], as: .bf16)
        let valid = [UInt8](w.data())
        var opened = 0
        for cut in 0..<valid.count where (try? SafeTensorsFile(data: Data(valid[..<cut]))) != nil { opened += 1 }
        #expect(opened == 0)
        var rng = SeededRandom(seed: 5)
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let i = Int(rng.next() % UInt64(bytes.count))
                bytes[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            if let file = try? SafeTensorsFile(data: Data(bytes)) {
                for name in file.names {
                    _ = try? file.doubles(name)
                    _ = try? file.int64s(name)
                }
            }
        }
    }
}
