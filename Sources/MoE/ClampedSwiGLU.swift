import LinearAlgebra

/// gpt-oss's expert activation (an extension, ``LayerExtensions/clampedSwiGLU``): with
/// a = W1 x (+ b1) and b = W3 x (+ b3), ā = min(a, limit), b̄ = clamp(b, −limit, limit),
/// h = (b̄ + 1) · ā σ(α ā) instead of the spec's silu(a) · b.
public struct ClampedSwiGLU: Sendable, Equatable, Codable {
    /// α, the sigmoid's slope (`swiglu_alpha`, 1.702 in gpt-oss).
    public var alpha: Double
    /// The clamp (`swiglu_limit`, 7 in gpt-oss).
    public var limit: Double

    public init(alpha: Double, limit: Double) {
        self.alpha = alpha
        self.limit = limit
    }

    /// h from a and b.
    @inline(__always)
    func forward<Scalar: BLASScalar>(_ a: Scalar, _ b: Scalar) -> Scalar {
        let lim = Scalar(limit), ga = min(a, lim), ub = min(max(b, -lim), lim)
        return (ub + 1) * ga * Scalar.sigmoid(Scalar(alpha) * ga)
    }

    /// (∂h/∂a, ∂h/∂b): zero where the clamp holds a or b at the limit, else
    /// ∂h/∂a = (b̄ + 1)(σ(αā) + α ā σ(αā)(1 − σ(αā))) and ∂h/∂b = ā σ(αā).
    @inline(__always)
    func derivatives<Scalar: BLASScalar>(_ a: Scalar, _ b: Scalar) -> (Scalar, Scalar) {
        let lim = Scalar(limit), ga = min(a, lim), ub = min(max(b, -lim), lim)
        let sig = Scalar.sigmoid(Scalar(alpha) * ga)
        let da: Scalar = a < lim ? (ub + 1) * (sig + Scalar(alpha) * ga * sig * (1 - sig)) : 0
        let db: Scalar = b > -lim && b < lim ? ga * sig : 0
        return (da, db)
    }
}
