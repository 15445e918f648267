import Foundation

/// A safetensors file: opening reads and validates the header only; every read fetches
/// exactly the bytes of the tensor (or of the element range) asked for, through a
/// ``ByteSource`` (`pread` on a file), so a many-GB shard costs only what is read from it.
///
/// Layout: an 8-byte little-endian header length n, n bytes of JSON header (an object of
/// tensor entries `{"dtype", "shape", "data_offsets"}` and an optional `__metadata__` object
/// of strings), then the data section. Opening checks every entry: known dtype, integer
/// shape, no element-count overflow, byte range inside the data section and of exactly the
/// shape's size, no two tensors sharing bytes. Gaps between tensors are allowed. Any
/// violation throws a ``CheckpointError`` naming the tensor, key or byte offset; no input
/// traps. The header is at most ``maxHeaderLength`` bytes and 4,000,000 JSON values (about
/// 500,000 tensors), which bounds the time and memory of opening any file. Values decode
/// through ``TensorDecoder``, the same table for every read.
///
/// ```swift
/// let shard = try SafeTensorsFile(path: "model-00001-of-00002.safetensors")
/// let w = try shard.floats("model.layers.0.mlp.gate.weight")        // reads only those bytes
/// let e3 = try shard.floats("experts.gate_up_proj", elements: 0..<4096)  // a slice of them
/// ```
public struct SafeTensorsFile: Sendable {
    /// Headers larger than this are rejected (as the reference implementation does).
    public static let maxHeaderLength = 100_000_000

    /// Where the bytes come from.
    public let source: any ByteSource
    /// Tensor names in header (file) order.
    public let names: [String]
    /// The `__metadata__` strings (empty when absent).
    public let metadata: [String: String]
    private let infos: [String: TensorInfo]

    /// Opens the regular file at `path` (``FileByteSource``), reading its header only.
    public init(path: String) throws(CheckpointError) {
        try self.init(source: FileByteSource(path: path))
    }

    /// Reads the bytes of a whole safetensors file held in memory.
    public init(data: Data) throws(CheckpointError) {
        try self.init(source: MemoryByteSource(bytes: [UInt8](data)))
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

    /// The stored little-endian bytes of `elements` (flat, row-major indices; all when nil)
    /// of tensor `name`, in its own dtype: `info(name).dtype.size` bytes per element.
    public func rawBytes(_ name: String, elements: Range<Int>? = nil) throws(CheckpointError) -> [UInt8] {
        let info = try info(name)
        let range = elements ?? 0..<info.count
        guard range.lowerBound >= 0, range.upperBound <= info.count else {
            throw .invalidEntry(tensor: name, reason: "elements \(range.lowerBound)..<\(range.upperBound) outside its \(info.count) elements")
        }
        guard !range.isEmpty else { return [] }
        let size = info.dtype.size, start = info.fileOffsets.lowerBound
        return try source.read((start + range.lowerBound * size)..<(start + range.upperBound * size))
    }

    /// The values of a float tensor (F64, F32, F16, BF16, F8) as `Double`, exactly; only
    /// `elements` (flat, row-major indices; all when nil) are read from the file.
    public func doubles(_ name: String, elements: Range<Int>? = nil) throws(CheckpointError) -> [Double] {
        let dtype = try info(name).dtype
        guard dtype.isFloat else { throw .wrongDType(tensor: name, dtype: dtype.rawValue, wanted: "Double") }
        return try TensorDecoder.doubles(rawBytes(name, elements: elements), dtype: dtype, tensor: name)
    }

    /// The values of a float tensor as `Float`: exact for F32, F16, BF16 and F8; F64 values
    /// are rounded to nearest. Only `elements` (all when nil) are read.
    public func floats(_ name: String, elements: Range<Int>? = nil) throws(CheckpointError) -> [Float] {
        let dtype = try info(name).dtype
        guard dtype.isFloat else { throw .wrongDType(tensor: name, dtype: dtype.rawValue, wanted: "Float") }
        return try TensorDecoder.floats(rawBytes(name, elements: elements), dtype: dtype, tensor: name)
    }

    /// The values of an integer or BOOL tensor as `Int64`; a U64 value above `Int64.max` is
    /// an error. Only `elements` (all when nil) are read.
    public func int64s(_ name: String, elements: Range<Int>? = nil) throws(CheckpointError) -> [Int64] {
        let dtype = try info(name).dtype
        guard !dtype.isFloat else { throw .wrongDType(tensor: name, dtype: dtype.rawValue, wanted: "Int64") }
        return try TensorDecoder.int64s(rawBytes(name, elements: elements), dtype: dtype, tensor: name,
                                        firstIndex: elements?.lowerBound ?? 0)
    }
}
