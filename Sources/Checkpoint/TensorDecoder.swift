/// Decodes the little-endian bytes of stored elements to `Double`, `Float` or `Int64`: the
/// one conversion table every read of a tensor goes through.
///
/// | read as | dtypes | conversion |
/// |---|---|---|
/// | `Double` | F64, F32, F16, BF16, F8_E5M2, F8_E4M3 | exact |
/// | `Float` | F32, F16, BF16, F8_E5M2, F8_E4M3; F64 | exact; F64 rounded to nearest |
/// | `Int64` | I64, I32, I16, I8, U32, U16, U8, BOOL; U64 | exact; U64 past `Int64.max` is an error |
///
/// Any other pairing throws ``CheckpointError/wrongDType(tensor:dtype:wanted:)``.
enum TensorDecoder {
    /// Float elements as `Double`, exactly.
    static func doubles(_ bytes: [UInt8], dtype: SafeTensorsDType, tensor: String) throws(CheckpointError) -> [Double] {
        if dtype == .f64 { return decode(bytes) { (bits: UInt64) in Double(bitPattern: bits) } }
        guard dtype != .f32 else { return decode(bytes) { (bits: UInt32) in Double(Float(bitPattern: bits)) } }
        return try floats(bytes, dtype: dtype, tensor: tensor, wanted: "Double").map { Double($0) }
    }

    /// Float elements as `Float`: exact, except F64, which rounds to nearest.
    static func floats(_ bytes: [UInt8], dtype: SafeTensorsDType, tensor: String,
                       wanted: String = "Float") throws(CheckpointError) -> [Float] {
        switch dtype {
        case .f64: return decode(bytes) { (bits: UInt64) in Float(Double(bitPattern: bits)) }
        case .f32: return decode(bytes) { (bits: UInt32) in Float(bitPattern: bits) }
        case .f16: return decode(bytes) { (bits: UInt16) in HalfFloat.float(fromF16: bits) }
        case .bf16: return decode(bytes) { (bits: UInt16) in HalfFloat.float(fromBF16: bits) }
        case .f8e5m2: return bytes.map { HalfFloat.float(fromF16: UInt16($0) << 8) }
        case .f8e4m3: return bytes.map(HalfFloat.float(fromF8E4M3:))
        default: throw .wrongDType(tensor: tensor, dtype: dtype.rawValue, wanted: wanted)
        }
    }

    /// Integer or BOOL elements as `Int64`; `firstIndex` is the flat index of the first
    /// element, for the message when a U64 value does not fit.
    static func int64s(_ bytes: [UInt8], dtype: SafeTensorsDType, tensor: String,
                       firstIndex: Int) throws(CheckpointError) -> [Int64] {
        switch dtype {
        case .i64: return decode(bytes) { (bits: UInt64) in Int64(bitPattern: bits) }
        case .i32: return decode(bytes) { (bits: UInt32) in Int64(Int32(bitPattern: bits)) }
        case .i16: return decode(bytes) { (bits: UInt16) in Int64(Int16(bitPattern: bits)) }
        case .i8: return bytes.map { Int64(Int8(bitPattern: $0)) }
        case .u32: return decode(bytes) { (bits: UInt32) in Int64(bits) }
        case .u16: return decode(bytes) { (bits: UInt16) in Int64(bits) }
        case .u8, .bool: return bytes.map { Int64($0) }
        case .u64:
            let values: [UInt64] = decode(bytes) { $0 }
            if let i = values.firstIndex(where: { $0 > UInt64(Int64.max) }) {
                throw .invalidEntry(tensor: tensor, reason: "U64 value \(values[i]) at flat index \(firstIndex + i) does not fit in Int64")
            }
            return values.map { Int64($0) }
        default: throw .wrongDType(tensor: tensor, dtype: dtype.rawValue, wanted: "Int64")
        }
    }

    /// Each little-endian `Bits` of `bytes`, converted.
    private static func decode<Bits: FixedWidthInteger, Value>(_ bytes: [UInt8], _ convert: (Bits) -> Value) -> [Value] {
        let stride = MemoryLayout<Bits>.size
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / stride)).map { i in
                convert(Bits(littleEndian: raw.loadUnaligned(fromByteOffset: i * stride, as: Bits.self)))
            }
        }
    }
}
