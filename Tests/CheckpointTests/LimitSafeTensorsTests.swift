import Foundation
import Testing
@testable import Checkpoint

/// A byte source of any claimed size: `prefix`, then zeros; nothing is allocated for the rest.
private struct VirtualSource: ByteSource {
    let prefix: [UInt8]
    let size: Int
    var name: String { "virtual" }

    func read(_ range: Range<Int>) throws(CheckpointError) -> [UInt8] {
        range.map { $0 < prefix.count ? prefix[$0] : 0 }
    }
}

/// The errors the reader throws on `data` in memory and on the same bytes through a
/// ``ByteSource``; nil where it opens them.
private func openErrors(_ data: Data) -> (eager: CheckpointError?, lazy: CheckpointError?) {
    var lazy: CheckpointError?
    do {
        _ = try SafeTensorsFile(source: VirtualSource(prefix: [UInt8](data), size: data.count))
    } catch {
        lazy = error
    }
    return (openError(data), lazy)
}

/// Header claims, sizes and counts past what any real file holds give a named error from
/// both readers without allocating what they claim.
@Suite struct LimitSafeTensorsTests {
    @Test(arguments: [UInt64(1) << 63, UInt64(1) << 40, UInt64.max, UInt64(SafeTensorsFile.maxHeaderLength) + 1])
    func headerLengthPastASmallFile(length: UInt64) {
        let data = handMade("{}", headerLength: length)
        let expected = CheckpointError.headerPastEnd(headerLength: length, fileSize: data.count)
        let errors = openErrors(data)
        #expect(errors.eager == expected)
        #expect(errors.lazy == expected)
    }

    /// A terabyte file whose header claims 2^39 bytes: refused from its first 8 bytes.
    @Test func headerPastTheCapOfAHugeFile() {
        var prefix: [UInt8] = []
        prefix.appendLE(UInt64(1) << 39)
        #expect(throws: CheckpointError.headerTooLarge(headerLength: 1 << 39, limit: SafeTensorsFile.maxHeaderLength)) {
            try SafeTensorsFile(source: VirtualSource(prefix: prefix, size: 1 << 40))
        }
    }

    /// One byte past the 100 MB cap, in a file long enough to hold it: the eager reader
    /// refuses it before parsing.
    @Test func headerOneBytePastTheCap() {
        var data = Data(count: SafeTensorsFile.maxHeaderLength + 9)
        let length = UInt64(SafeTensorsFile.maxHeaderLength + 1)
        for i in 0..<8 { data[i] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(i))) }
        let expected = CheckpointError.headerTooLarge(headerLength: length, limit: SafeTensorsFile.maxHeaderLength)
        #expect(openErrors(data) == (expected, expected))
    }

    @Test(arguments: [
        ("F32", [3_037_000_500, 3_037_000_500]),  // 3,037,000,500² is just past Int.max
        ("U8", [1 << 62, 4]),
        ("F64", [Int.max]),                      // the count fits, its byte size does not
        ("BF16", [1 << 31, 1 << 31, 2]),
    ])
    func elementCountOverflowIsNamed(dtype: String, shape: [Int]) {
        let dims = shape.map(String.init).joined(separator: ",")
        let data = handMade(#"{"w":{"dtype":"\#(dtype)","shape":[\#(dims)],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8))
        let expected = CheckpointError.elementCountOverflow(tensor: "w", shape: shape)
        #expect(openErrors(data) == (expected, expected))
    }

    /// A zero dimension makes any other dimension harmless: no elements, no bytes.
    @Test func zeroDimensionNextToAHugeOne() throws {
        let file = try SafeTensorsFile(data: handMade(#"{"w":{"dtype":"F32","shape":[0,4611686018427387904],"data_offsets":[0,0]}}"#))
        #expect(try file.info("w").count == 0)
        #expect(try file.floats("w").isEmpty)
    }

    @Test func offsetsNearIntMaxAreOutsideTheData() {
        let h = #"{"w":{"dtype":"U8","shape":[9223372036854775807],"data_offsets":[0,9223372036854775807]}}"#
        let expected = CheckpointError.offsetsOutsideData(tensor: "w", byteRange: 0..<Int.max, dataSize: 0)
        #expect(openErrors(handMade(h)) == (expected, expected))
    }

    /// Ten thousand nested arrays: an error at the 65th, not a stack overflow.
    @Test func deepNestingStopsAtTheLimit() {
        let h = #"{"__metadata__":"# + String(repeating: "[", count: 10_000)
        let offset = 8 + #"{"__metadata__":"#.utf8.count + HeaderJSONParser.maxDepth - 1
        let expected = CheckpointError.invalidJSON(offset: offset, reason: "nesting deeper than \(HeaderJSONParser.maxDepth)")
        #expect(openErrors(handMade(h)) == (expected, expected))
    }

    /// The value budget counts every value once and names where the first one past it starts.
    /// (Both readers parse with the default budget, 4,000,000; a header past it takes seconds
    /// to build in a debug build, so docs/hardening.md gives the measured release figures.)
    @Test func valueBudgetIsExact() throws {
        let entry = #"{"dtype":"U8","shape":[1,1],"data_offsets":[0,1]}"#  // 8 values
        let header = Array(#"{"a":\#(entry)}"#.utf8)
        #expect(throws: Never.self) { try HeaderJSONParser.parse(header, base: 8, maxValues: 9) }
        let lastOne = header.lastIndex(of: UInt8(ascii: "1"))!
        #expect(throws: CheckpointError.tooManyJSONValues(offset: 8 + lastOne, limit: 8)) {
            try HeaderJSONParser.parse(header, base: 8, maxValues: 8)
        }
    }

    /// Many tiny tensors open (gaps, zero sizes, scalars), in header order.
    @Test func tenThousandTinyTensorsOpen() throws {
        let n = 10_000
        let entries = (0..<n).map { #""t\#($0)":{"dtype":"U8","shape":[1],"data_offsets":[\#($0),\#($0 + 1)]}"# }
        let file = try SafeTensorsFile(data: handMade("{" + entries.joined(separator: ",") + "}", data: Array(repeating: 7, count: n)))
        #expect(file.names.count == n)
        #expect(file.names.last == "t\(n - 1)")
        #expect(try file.int64s("t\(n / 2)") == [7])
    }

    @Test func budgetErrorNamesOffsetAndLimit() {
        #expect(CheckpointError.tooManyJSONValues(offset: 42, limit: 4_000_000).description
                == "JSON at byte offset 42 goes past the reader's limit of 4000000 values "
                + "(tensors, shape dimensions and metadata entries together)")
    }
}
