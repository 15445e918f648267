/// The numerical rank of a matrix decided from its singular values, with the evidence.
///
/// The rank counts the singular values strictly above the tolerance. The default tolerance is
/// σ_max · max(rows, cols) · ε, the rule of `numpy.linalg.matrix_rank`, where ε is the machine
/// epsilon of the element type. `gap` = σ_r / σ_{r+1} shows how clearly the data separate the
/// kept values from the dropped ones: a large gap is a robust decision, a gap near 1 a fragile one.
public struct NumericalRank<Scalar: LAPACKScalar>: Sendable {
    /// All singular values, descending.
    public let singularValues: [Scalar]
    public let tolerance: Scalar
    /// Whether `tolerance` came from the caller rather than the default rule.
    public let toleranceIsUserGiven: Bool
    public let rank: Int

    /// Decides the rank of a rows×cols matrix from its singular values (descending).
    /// `tolerance` nil uses the default rule; for a zero matrix the default is 0 and the rank 0.
    public init(singularValues: [Scalar], rows: Int, cols: Int, tolerance: Scalar? = nil) {
        self.singularValues = singularValues
        let tol = tolerance ?? NumericalRank.defaultTolerance(sigmaMax: singularValues.first ?? 0, rows: rows, cols: cols)
        self.tolerance = tol
        toleranceIsUserGiven = tolerance != nil
        rank = singularValues.count { $0 > tol }
    }

    /// σ_max · max(rows, cols) · ε, numpy's `matrix_rank` default.
    public static func defaultTolerance(sigmaMax: Scalar, rows: Int, cols: Int) -> Scalar {
        sigmaMax * Scalar(Swift.max(rows, cols)) * Scalar.ulpOfOne
    }

    /// The largest singular value (0 for an empty spectrum).
    public var sigmaMax: Scalar { singularValues.first ?? 0 }

    /// σ_r / σ_{r+1} at the decision; nil when the rank is 0 or full (no value on one side).
    /// Infinite when σ_{r+1} is exactly 0.
    public var gap: Scalar? {
        guard rank > 0, rank < singularValues.count else { return nil }
        return singularValues[rank - 1] / singularValues[rank]
    }

    /// σ_r / tolerance: how far the smallest kept value sits above the tolerance (nil at rank 0).
    public var margin: Scalar? {
        guard rank > 0 else { return nil }
        return singularValues[rank - 1] / tolerance
    }
}

extension Matrix where Scalar: LAPACKScalar {
    /// The numerical rank from an SVD; see ``NumericalRank`` for the tolerance rule.
    public func numericalRank(tolerance: Scalar? = nil) throws -> NumericalRank<Scalar> {
        NumericalRank(singularValues: try singularValues(), rows: rows, cols: cols, tolerance: tolerance)
    }
}
