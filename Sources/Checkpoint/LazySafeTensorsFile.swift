/// A safetensors file opened lazily: opening reads the 8-byte length and the JSON
/// header only, and each value read fetches exactly that tensor's bytes (or a slice of
/// them). Shards of real models are many GB; a layer's tensors are a small part.
///
/// Validation is ``SafeTensorsFile``'s, entry for entry (dtype, shape, byte range inside
/// the data section and of the shape's size, no overlaps, `__metadata__` of strings), so
/// a file one reader accepts the other accepts too. Errors are ``CheckpointError`` values
/// naming the tensor, key or offset; no input traps.
///
/// ```swift
/// let shard = try LazySafeTensorsFile(path: "model-00001-of-00002.safetensors")
/// let w = try shard.doubles("model.layers.0.mlp.gate.weight")   // reads only those bytes
/// ```
public struct LazySafeTensorsFile: Sendable {
    /// Where the bytes come from.
    public let source: any ByteSource
    /// Tensor names in header (file) order.
    public let names: [String]
    /// The `__metadata__` strings (empty when absent).
    public let metadata: [String: String]
    private let infos: [String: TensorInfo]

    /// Opens the file at `path`, reading its header only.
    public init(path: String) throws(CheckpointError) {
        try self.init(source: FileByteSource(path: path))
    }

    /// Reads and validates the header of `source`.
    public init(source: any ByteSource) throws(CheckpointError) {
        self.source = source
        let header = try SafeTensorsHeader(size: source.size) { range throws(CheckpointError) in try source.read(range) }
        names = header.names
        infos = header.infos
        metadata = header.metadata
    }

    /// The validated header entry of `name`.
    public func info(_ name: String) throws(CheckpointError) -> TensorInfo {
        guard let info = infos[name] else { throw .noSuchTensor(name) }
        return info
    }

    /// True when the file holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { infos[name] != nil }

    /// The values of a float tensor (F16, BF16, F32, F64) as `Double`, exactly; only
    /// `elements` (flat, row-major indices; all when nil) are read from the file.
    public func doubles(_ name: String, elements: Range<Int>? = nil) throws(CheckpointError) -> [Double] {
        let info = try info(name)
        let range = elements ?? 0..<info.count
        guard range.lowerBound >= 0, range.upperBound <= info.count else {
            throw .invalidEntry(tensor: name, reason: "elements \(range) outside its \(info.count) elements")
        }
        let size = info.dtype.size, start = info.fileOffsets.lowerBound
        let bytes = try source.read((start + range.lowerBound * size)..<(start + range.upperBound * size))
        switch info.dtype {
        case .f64: return LazySafeTensorsFile.decode(bytes) { (bits: UInt64) in Double(bitPattern: bits) }
        case .f32: return LazySafeTensorsFile.decode(bytes) { (bits: UInt32) in Double(Float(bitPattern: bits)) }
        case .f16: return LazySafeTensorsFile.decode(bytes) { (bits: UInt16) in Double(HalfFloat.float(fromF16: bits)) }
        case .bf16: return LazySafeTensorsFile.decode(bytes) { (bits: UInt16) in Double(HalfFloat.float(fromBF16: bits)) }
        default: throw .wrongDType(tensor: name, dtype: info.dtype.rawValue, wanted: "Double")
        }
    }

    /// The values of an I64 tensor.
    public func int64s(_ name: String) throws(CheckpointError) -> [Int64] {
        let info = try info(name)
        guard info.dtype == .i64 else { throw .wrongDType(tensor: name, dtype: info.dtype.rawValue, wanted: "Int64 (I64 only)") }
        return LazySafeTensorsFile.decode(try source.read(info.fileOffsets)) { (bits: UInt64) in Int64(bitPattern: bits) }
    }

    /// Decodes little-endian elements of `Bits` with `convert`.
    private static func decode<Bits: FixedWidthInteger, Value>(_ bytes: [UInt8], _ convert: (Bits) -> Value) -> [Value] {
        let stride = MemoryLayout<Bits>.size
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / stride)).map { i in
                convert(Bits(littleEndian: raw.loadUnaligned(fromByteOffset: i * stride, as: Bits.self)))
            }
        }
    }
}
