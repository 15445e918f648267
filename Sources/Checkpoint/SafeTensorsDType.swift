/// The safetensors element types, spelled as in the header.
///
/// All of them are recognised (so their byte sizes validate); values can be read
/// from the float types as `Double`/`Float` and from the integer types as `Int64`
/// (``TensorDecoder`` has the table).
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL"
    case u8 = "U8", i8 = "I8"
    case f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3"
    case u16 = "U16", i16 = "I16", f16 = "F16", bf16 = "BF16"
    case u32 = "U32", i32 = "I32", f32 = "F32"
    case u64 = "U64", i64 = "I64", f64 = "F64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
        case .u16, .i16, .f16, .bf16: return 2
        case .u32, .i32, .f32: return 4
        case .u64, .i64, .f64: return 8
        }
    }

    /// True for the float types: F64, F32, F16, BF16, F8_E5M2, F8_E4M3 (read as `Double` or `Float`).
    public var isFloat: Bool { isWeightFloat || self == .f8e5m2 || self == .f8e4m3 }

    /// True for F16, BF16, F32 and F64: the types weights may have.
    public var isWeightFloat: Bool { [.f16, .bf16, .f32, .f64].contains(self) }
}

/// Exact conversions between the narrow float formats and `Float`.
enum HalfFloat {
    /// IEEE half precision bits to `Float`, exactly (subnormals, infinities, NaN included).
    static func float(fromF16 bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = Int(bits >> 10) & 0x1f
        let mantissa = UInt32(bits & 0x3ff)
        if exponent == 0x1f {
            return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13))
        }
        if exponent == 0 {
            // Subnormal or zero: mantissa · 2^-24, exact in Float.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    /// F8_E4M3 (the "fn" variant: bias 7, no infinities, S.1111.111 is NaN) to `Float`, exactly.
    /// (F8_E5M2 is the top byte of an F16 and goes through ``float(fromF16:)``.)
    static func float(fromF8E4M3 bits: UInt8) -> Float {
        let exponent = Int(bits >> 3) & 0xf, mantissa = Float(bits & 0x7)
        let magnitude: Float
        if exponent == 0xf && bits & 0x7 == 0x7 {
            magnitude = .nan
        } else if exponent == 0 {
            magnitude = mantissa * 0x1p-9
        } else {
            magnitude = (1 + mantissa / 8) * Float(sign: .plus, exponent: exponent - 7, significand: 1)
        }
        return bits & 0x80 == 0 ? magnitude : -magnitude
    }

    /// bfloat16 bits to `Float`, exactly (the top half of a Float's bits).
    static func float(fromBF16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// `Float` to bfloat16 bits, rounding to nearest, ties to even; NaN stays a quiet NaN.
    static func bf16(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x40) }
        let roundingBias: UInt32 = 0x7fff + ((bits >> 16) & 1)
        let (rounded, _) = bits.addingReportingOverflow(roundingBias)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }
}
