import LinearAlgebra
import MoE

extension ExcessRankAnalysis {
    /// Gaussian probes beyond the bound r in the first sketch (HMT's p).
    public static let oversampling = 8
    /// Power iterations per sketch. ‖J‖₂ (the tolerance's scale) is estimated in the same steps
    /// with twice the probes: an estimate from below, within a few percent of the dense value
    /// on the committed fixtures and random layers (J's leading singular values cluster near 1).
    public static let powerIterations = 2

    /// One token's test without forming R: R's leading singular values from a randomized range
    /// finder on R V and Rᵀ U (r + p probes, r = `bound`), ‖J‖₂ from the same steps on J V and
    /// Jᵀ U, and a second sketch of p probes confirming that nothing above the tolerance
    /// rtol·‖J‖₂ lies outside the probes' range. When the rank reaches the probe count or the
    /// confirmation fails, the probes double (up to d, where the range finder is exact).
    static func matrixFreeToken(_ op: BlockLinearization, index: Int, stable: Bool, bound r: Int,
                                relativeTolerance rtol: Double,
                                progress: ((String) -> Void)? = nil) throws(AnalysisError) -> Token {
        let d = op.dModel, p = oversampling
        var m = min(d, r + p)
        while true {
            let probes = m
            let results: [RandomizedSVD]
            do {
                results = try RandomizedSVD.leading(
                    size: d, probes: [probes, min(d, 2 * probes)], confirmProbes: [min(d, p), 0],
                    powerIterations: powerIterations, seed: 0x5EED_0000 &+ UInt64(index),
                    apply: { blocks in
                        let (j, rv) = op.apply(Matrix.joiningColumns(blocks))
                        return [rv.columns(0..<blocks[0].cols), j.columns(blocks[0].cols..<(blocks[0].cols + blocks[1].cols))]
                    },
                    applyTransposed: { blocks in
                        let (j, ru) = op.applyTransposed(Matrix.joiningColumns(blocks))
                        return [ru.columns(0..<blocks[0].cols), j.columns(blocks[0].cols..<(blocks[0].cols + blocks[1].cols))]
                    })
            } catch {
                throw .layer("Jacobian test, token \(index): \(error)")
            }
            let normJ = results[1].values.first ?? 0, tolerance = rtol * normJ
            let rank = NumericalRank(singularValues: results[0].values, rows: d, cols: d, tolerance: tolerance)
            let residual = results[0].residualBound ?? 0
            progress?("token \(index): \(probes) probes, rank \(rank.rank), missed ≤ \(residual) (tolerance \(tolerance))")
            if m == d || (rank.rank < m && residual <= tolerance) {
                return Token(index: index, rank: rank.rank, normJ: normJ, singularValues: rank.singularValues,
                             gap: rank.gap, selectionStable: stable, residualBound: residual)
            }
            m = min(d, 2 * m)
        }
    }
}
