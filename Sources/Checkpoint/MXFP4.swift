/// gpt-oss's MXFP4 expert weights (`*_blocks` U8 [N, rows, G, 16], `*_scales` U8 [N, rows, G]),
/// dequantized as transformers' `integrations.mxfp4._convert_moe_packed_tensors` does: row r of
/// expert e holds G groups of 32 values; value 2b of a group is the FP4 e2m1 code in the low
/// nibble of byte b, value 2b + 1 the high nibble; each group is multiplied by 2^(s − 127), s its
/// e8m0 scale byte. The rows are the output units (gate_up: gate and up interleaved, even and
/// odd rows), so a row is a row of the spec's weight.
public struct MXFP4Rows: Sendable, Equatable {
    /// The `*_scales` tensor and the flat elements of it that belong to the expert.
    public let scales: String
    public let scaleElements: Range<Int>
    /// Values per row (G · 32, the input width).
    public let cols: Int
    /// The rows taken: first, first + step, … (`count` of them).
    public let first: Int, count: Int, step: Int

    /// The 16 FP4 e2m1 values, by code.
    static let values: [Double] = [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6]

    /// The taken rows, [count, cols], times `factor`, from the expert's block bytes ([rows, cols / 2])
    /// and scale bytes ([rows, cols / 32]): each value is formed in Float64 and stored straight as
    /// `Scalar` (no whole-tensor Float64 array). `overflow` is the first value (flat index, Float64
    /// value before the factor) whose product is not finite in `Scalar`.
    func decode<Scalar: BinaryFloatingPoint>(blocks: [UInt8], scales s: [UInt8], factor: Double = 1,
                                             as _: Scalar.Type = Scalar.self) -> (values: [Scalar], overflow: (Int, Double)?) {
        var out: [Scalar] = []
        var overflow: (Int, Double)?
        out.reserveCapacity(count * cols)
        for j in 0..<count {
            let row = first + j * step
            for c in 0..<cols {
                let byte = blocks[row * cols / 2 + c / 2]
                let code = Int(c % 2 == 0 ? byte & 0x0f : byte >> 4)
                let exponent = Int(s[row * cols / 32 + c / 32]) - 127
                let v = Double(sign: .plus, exponent: exponent, significand: MXFP4Rows.values[code])
                let x = Scalar(v * factor)
                if overflow == nil && !x.isFinite { overflow = (out.count, v) }
                out.append(x)
            }
        }
        return (out, overflow)
    }
}
