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

/// The validated header of a safetensors file (``SafeTensorsFile``): the 8-byte
/// little-endian length, the JSON header, every tensor entry and `__metadata__`.
struct SafeTensorsHeader {
    /// Tensor names in header (file) order.
    let names: [String]
    let infos: [String: TensorInfo]
    /// The `__metadata__` strings (empty when absent).
    let metadata: [String: String]

    /// Reads the header of a file of `size` bytes through `read`, which returns the
    /// bytes of a range inside the file.
    init(size: Int, read: (Range<Int>) throws(CheckpointError) -> [UInt8]) throws(CheckpointError) {
        guard size >= 8 else { throw .tooShort(size: size) }
        let prefix = try read(0..<8)
        var length: UInt64 = 0
        for i in (0..<8).reversed() { length = length << 8 | UInt64(prefix[i]) }
        guard length <= UInt64(size - 8) else { throw .headerPastEnd(headerLength: length, fileSize: size) }
        guard length <= UInt64(SafeTensorsFile.maxHeaderLength) else {
            throw .headerTooLarge(headerLength: length, limit: SafeTensorsFile.maxHeaderLength)
        }
        let dataStart = 8 + Int(length)
        let header = try HeaderJSONParser.parse(try read(8..<dataStart), base: 8)
        guard case .object(let entries) = header else { throw .headerNotObject }

        var names: [String] = []
        var infos: [String: TensorInfo] = [:]
        var metadata: [String: String]?
        for (key, value) in entries {
            if key == "__metadata__" {
                guard metadata == nil else { throw .invalidMetadata(key: key, reason: "appears twice in the header") }
                metadata = try SafeTensorsHeader.metadata(value)
                continue
            }
            guard infos[key] == nil else { throw .duplicateTensor(key) }
            infos[key] = try SafeTensorsHeader.entry(key, value, dataStart: dataStart, dataSize: size - dataStart)
            names.append(key)
        }
        try SafeTensorsHeader.checkOverlaps(Array(infos.values))
        self.names = names
        self.infos = infos
        self.metadata = metadata ?? [:]
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
