import Foundation

/// One tensor's header entry, validated.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// Number of elements (1 for a scalar of shape []).
    public let count: Int
    /// The header's `data_offsets`, relative to the start of the data section.
    public let dataOffsets: Range<Int>
    /// The same bytes as offsets from the start of the file.
    public let fileOffsets: Range<Int>
}

/// A safetensors file, read and validated in full when opened.
///
/// Layout: an 8-byte little-endian header length n, n bytes of JSON header (an
/// object of tensor entries `{"dtype", "shape", "data_offsets"}` and an optional
/// `__metadata__` object of strings), then the data section. Opening checks every
/// entry: known dtype, integer shape, no element-count overflow, byte range inside
/// the data section and of exactly the shape's size, no two tensors sharing bytes.
/// Gaps between tensors are allowed. Any violation throws a ``CheckpointError``
/// naming the tensor, key or byte offset; no input traps. The header is at most
/// ``maxHeaderLength`` bytes and 4,000,000 JSON values (about 500,000 tensors), which
/// bounds the time and memory of opening any file.
public struct SafeTensorsFile: Sendable {
    /// Headers larger than this are rejected (as the reference implementation does).
    public static let maxHeaderLength = 100_000_000

    /// Tensor names in header (file) order.
    public let names: [String]
    /// The `__metadata__` strings (empty when absent).
    public let metadata: [String: String]
    private let infos: [String: TensorInfo]
    private let bytes: [UInt8]

    /// Reads and validates the file at `path`.
    public init(path: String) throws(CheckpointError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        try self.init(data: data)
    }

    /// Validates the bytes of a whole safetensors file.
    public init(data: Data) throws(CheckpointError) {
        let bytes = [UInt8](data)
        let header = try SafeTensorsHeader(size: bytes.count) { range throws(CheckpointError) in Array(bytes[range]) }
        self.bytes = bytes
        names = header.names
        infos = header.infos
        metadata = header.metadata
    }

    static func metadata(_ value: HeaderJSON) throws(CheckpointError) -> [String: String] {
        guard case .object(let pairs) = value else {
            throw .invalidMetadata(key: "__metadata__", reason: "is \(value.kind), not an object")
        }
        var out: [String: String] = [:]
        for (key, value) in pairs {
            guard case .string(let s) = value else {
                throw .invalidMetadata(key: key, reason: "value is \(value.kind), not a string")
            }
            guard out[key] == nil else { throw .invalidMetadata(key: key, reason: "appears twice") }
            out[key] = s
        }
        return out
    }

    static func entry(_ name: String, _ value: HeaderJSON, dataStart: Int, dataSize: Int)
        throws(CheckpointError) -> TensorInfo {
        guard case .object(let pairs) = value else { throw .invalidEntry(tensor: name, reason: "entry is \(value.kind), not an object") }
        func field(_ key: String) throws(CheckpointError) -> HeaderJSON {
            guard let v = pairs.last(where: { $0.key == key })?.value else {
                throw .invalidEntry(tensor: name, reason: "missing key '\(key)'")
            }
            return v
        }
        guard case .string(let dtypeName) = try field("dtype") else {
            throw .invalidEntry(tensor: name, reason: "'dtype' is not a string")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else { throw .unknownDType(tensor: name, dtype: dtypeName) }
        guard case .array(let dims) = try field("shape") else {
            throw .invalidEntry(tensor: name, reason: "'shape' is not an array")
        }
        var shape: [Int] = []
        for dim in dims {
            guard let n = dim.nonNegativeInt else {
                throw .invalidEntry(tensor: name, reason: "'shape' holds something other than a non-negative integer")
            }
            shape.append(n)
        }
        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
              let begin = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt else {
            throw .invalidEntry(tensor: name, reason: "'data_offsets' is not a pair of non-negative integers")
        }
        guard begin <= end else {
            throw .invalidEntry(tensor: name, reason: "data_offsets [\(begin), \(end)] end before they begin")
        }
        let range = begin..<end
        guard end <= dataSize else { throw .offsetsOutsideData(tensor: name, byteRange: range, dataSize: dataSize) }
        guard let count = checkedProduct(shape),
              case (let byteCount, false) = count.multipliedReportingOverflow(by: dtype.size) else {
            throw .elementCountOverflow(tensor: name, shape: shape)
        }
        guard byteCount == range.count else {
            throw .shapeMismatch(tensor: name, shape: shape, dtype: dtype.rawValue, expectedBytes: byteCount, byteRange: range)
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, count: count, dataOffsets: range,
                          fileOffsets: (dataStart + begin)..<(dataStart + end))
    }

    static func checkOverlaps(_ infos: [TensorInfo]) throws(CheckpointError) {
        let sorted = infos.filter { !$0.dataOffsets.isEmpty }
            .sorted { ($0.dataOffsets.lowerBound, $0.name) < ($1.dataOffsets.lowerBound, $1.name) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.dataOffsets.lowerBound < a.dataOffsets.upperBound {
            throw .overlappingTensors(a.name, b.name, fileOffset: b.fileOffsets.lowerBound)
        }
    }

    /// The validated header entry of `name`.
    public func info(_ name: String) throws(CheckpointError) -> TensorInfo {
        guard let info = infos[name] else { throw .noSuchTensor(name) }
        return info
    }

    /// True when the file holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { infos[name] != nil }

    /// The values of a float tensor (F16, BF16, F32, F64), exactly, as `Double`.
    public func doubles(_ name: String) throws(CheckpointError) -> [Double] {
        let info = try info(name)
        switch info.dtype {
        case .f64: return read(info) { (bits: UInt64) in Double(bitPattern: bits) }
        case .f32: return read(info) { (bits: UInt32) in Double(Float(bitPattern: bits)) }
        case .f16: return read(info) { (bits: UInt16) in Double(HalfFloat.float(fromF16: bits)) }
        case .bf16: return read(info) { (bits: UInt16) in Double(HalfFloat.float(fromBF16: bits)) }
        default: throw .wrongDType(tensor: name, dtype: info.dtype.rawValue, wanted: "Double")
        }
    }

    /// The values of a float tensor as `Float`: exact for F16, BF16 and F32;
    /// F64 values are rounded to nearest.
    public func floats(_ name: String) throws(CheckpointError) -> [Float] {
        let info = try info(name)
        switch info.dtype {
        case .f64: return read(info) { (bits: UInt64) in Float(Double(bitPattern: bits)) }
        case .f32: return read(info) { (bits: UInt32) in Float(bitPattern: bits) }
        case .f16: return read(info) { (bits: UInt16) in HalfFloat.float(fromF16: bits) }
        case .bf16: return read(info) { (bits: UInt16) in HalfFloat.float(fromBF16: bits) }
        default: throw .wrongDType(tensor: name, dtype: info.dtype.rawValue, wanted: "Float")
        }
    }

    /// The values of an integer or BOOL tensor as `Int64`; a U64 value above
    /// `Int64.max` is an error.
    public func int64s(_ name: String) throws(CheckpointError) -> [Int64] {
        let info = try info(name)
        switch info.dtype {
        case .i64: return read(info) { (bits: UInt64) in Int64(bitPattern: bits) }
        case .i32: return read(info) { (bits: UInt32) in Int64(Int32(bitPattern: bits)) }
        case .i16: return read(info) { (bits: UInt16) in Int64(Int16(bitPattern: bits)) }
        case .i8: return read(info) { (bits: UInt8) in Int64(Int8(bitPattern: bits)) }
        case .u32: return read(info) { (bits: UInt32) in Int64(bits) }
        case .u16: return read(info) { (bits: UInt16) in Int64(bits) }
        case .u8, .bool: return read(info) { (bits: UInt8) in Int64(bits) }
        case .u64:
            let values: [UInt64] = read(info) { $0 }
            if let i = values.firstIndex(where: { $0 > UInt64(Int64.max) }) {
                throw .invalidEntry(tensor: name, reason: "U64 value \(values[i]) at flat index \(i) does not fit in Int64")
            }
            return values.map { Int64($0) }
        default: throw .wrongDType(tensor: name, dtype: info.dtype.rawValue, wanted: "Int64")
        }
    }

    /// Decodes each little-endian element of `info` with `convert`.
    private func read<Bits: FixedWidthInteger, Value>(_ info: TensorInfo, _ convert: (Bits) -> Value) -> [Value] {
        let start = info.fileOffsets.lowerBound
        let stride = MemoryLayout<Bits>.size
        return bytes.withUnsafeBytes { raw in
            (0..<info.count).map { i in
                convert(Bits(littleEndian: raw.loadUnaligned(fromByteOffset: start + i * stride, as: Bits.self)))
            }
        }
    }
}

/// The product of `dims`, or nil on overflow (1 for no dimensions).
func checkedProduct(_ dims: [Int]) -> Int? {
    var product = 1
    for d in dims {
        guard d >= 0, case (let p, false) = product.multipliedReportingOverflow(by: d) else { return nil }
        product = p
    }
    return product
}
