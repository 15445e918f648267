/// Per-block scales of a block-quantized weight (FP8 with `weight_scale_inv`): the weight
/// [rows, cols] is w[r, c] = q[r, c] · s[r / b0, c / b1], ragged edge blocks included. A
/// ``StoredExpert`` keeps q (exact in Float) and applies s while it widens a block of rows to
/// Float64, where the product is exact; so the weights cost their Float32 bytes and the
/// products equal those of the Float64 dequantized weight.
public struct BlockScales: Sendable {
    /// s, [ceil(rows / b0), ceil(cols / b1)] row-major.
    public let values: [Double]
    /// (b0, b1).
    public let rowBlock: Int, colBlock: Int

    public init(values: [Double], rowBlock: Int, colBlock: Int) {
        precondition(rowBlock > 0 && colBlock > 0, "BlockScales: blocks must be positive")
        self.values = values
        self.rowBlock = rowBlock
        self.colBlock = colBlock
    }

    /// Multiplies `row` (cols values of weight row r) by its scales, in place.
    func scale(_ row: UnsafeMutablePointer<Double>, row r: Int, cols: Int) {
        let scaleCols = (cols + colBlock - 1) / colBlock, base = (r / rowBlock) * scaleCols
        for c in 0..<cols { row[c] *= values[base + c / colBlock] }
    }
}
