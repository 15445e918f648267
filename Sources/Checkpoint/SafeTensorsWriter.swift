import Foundation
import Report

/// Builds a safetensors file: tensors in the order added, `__metadata__` first
/// in the header, the header padded with spaces to a multiple of 8 bytes (as
/// Python's `safetensors` writes it), data little-endian and contiguous.
///
/// ```swift
/// var w = SafeTensorsWriter(metadata: ["d_model": "8"])
/// try w.add("router.weight", shape: [4, 8], floats: weights, as: .bf16)
/// try w.write(to: "layer.safetensors")
/// ```
public struct SafeTensorsWriter: Sendable {
    /// The float encodings the writer produces.
    public enum FloatDType: Sendable {
        case f32, f64, bf16
    }

    public var metadata: [String: String]
    private var entries: [(name: String, dtype: SafeTensorsDType, shape: [Int], bytes: [UInt8])] = []

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Tensor names added so far, in order.
    public var names: [String] { entries.map(\.name) }

    /// Adds a float tensor from `Double` values, rounding to the chosen dtype
    /// (nearest, ties to even).
    public mutating func add(_ name: String, shape: [Int], doubles values: [Double], as dtype: FloatDType = .f32)
        throws(CheckpointError) {
        switch dtype {
        case .f64: try append(name, .f64, shape, values.count) { out in for v in values { out.appendLE(v.bitPattern) } }
        case .f32, .bf16: try add(name, shape: shape, floats: values.map { Float($0) }, as: dtype)
        }
    }

    /// Adds a float tensor from `Float` values (exact for F32 and F64, rounded
    /// to nearest even for BF16).
    public mutating func add(_ name: String, shape: [Int], floats values: [Float], as dtype: FloatDType = .f32)
        throws(CheckpointError) {
        switch dtype {
        case .f32: try append(name, .f32, shape, values.count) { out in for v in values { out.appendLE(v.bitPattern) } }
        case .f64: try append(name, .f64, shape, values.count) { out in for v in values { out.appendLE(Double(v).bitPattern) } }
        case .bf16: try append(name, .bf16, shape, values.count) { out in for v in values { out.appendLE(HalfFloat.bf16(from: v)) } }
        }
    }

    /// Adds an I64 tensor.
    public mutating func add(_ name: String, shape: [Int], int64s values: [Int64]) throws(CheckpointError) {
        try append(name, .i64, shape, values.count) { out in for v in values { out.appendLE(UInt64(bitPattern: v)) } }
    }

    private mutating func append(_ name: String, _ dtype: SafeTensorsDType, _ shape: [Int], _ count: Int,
                                 _ encode: (inout [UInt8]) -> Void) throws(CheckpointError) {
        guard name != "__metadata__", !entries.contains(where: { $0.name == name }) else { throw .duplicateTensor(name) }
        guard checkedProduct(shape) == count else { throw .valueCountMismatch(tensor: name, shape: shape, count: count) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * dtype.size)
        encode(&bytes)
        entries.append((name, dtype, shape, bytes))
    }

    /// The complete file.
    public func data() -> Data {
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(JSON.string($0.key).rendered()):\(JSON.string($0.value).rendered())" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for e in entries {
            let shape = e.shape.map(String.init).joined(separator: ",")
            fields.append("\(JSON.string(e.name).rendered()):{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(offset),\(offset + e.bytes.count)]}")
            offset += e.bytes.count
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        out.appendLE(UInt64(headerBytes.count))
        out += headerBytes
        for e in entries { out += e.bytes }
        return Data(out)
    }

    /// Writes the file to `path`.
    public func write(to path: String) throws(CheckpointError) {
        do {
            try data().write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .unwritable(path: path, reason: error.localizedDescription)
        }
    }
}

extension [UInt8] {
    /// Appends the little-endian bytes of `value`.
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }
}
