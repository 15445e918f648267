/// One reference tensor compared with the recomputed value.
///
/// `maxAbs` = max |got − want|. `maxRel` = maxAbs / max |want|: the error relative to the
/// tensor's scale (its ∞-norm), not elementwise, because gradients hold entries that
/// cancel to near zero, where an elementwise ratio measures nothing but round-off. A NaN
/// on either side counts as an infinite error. For `ref.topk`, `mismatches` counts the
/// differing entries and the check is exact.
public struct TensorCheck: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let maxAbs: Double
    public let maxRel: Double
    /// The bound on `maxRel` (nil for the exact `ref.topk` check).
    public let tolerance: Double?
    /// Differing entries of an exact check (nil for float tensors).
    public let mismatches: Int?
    public let ok: Bool

    /// Compares float values against a reference with `maxRel ≤ tolerance`.
    public init(name: String, shape: [Int], got: [Double], want: [Double], tolerance: Double) {
        precondition(got.count == want.count, "TensorCheck \(name): \(got.count) values against \(want.count)")
        var maxAbs = 0.0, scale = 0.0
        for (g, w) in zip(got, want) {
            let diff = Swift.abs(g - w)
            maxAbs = Swift.max(maxAbs, diff.isNaN ? .infinity : diff)
            scale = Swift.max(scale, Swift.abs(w).isNaN ? .infinity : Swift.abs(w))
        }
        let maxRel = maxAbs == 0 ? 0 : (scale > 0 && scale.isFinite ? maxAbs / scale : .infinity)
        self.init(name: name, shape: shape, maxAbs: maxAbs, maxRel: maxRel, tolerance: tolerance,
                  mismatches: nil, ok: maxRel <= tolerance)
    }

    /// Compares integers exactly (the selection).
    public init(name: String, shape: [Int], got: [Int64], want: [Int64]) {
        precondition(got.count == want.count, "TensorCheck \(name): \(got.count) values against \(want.count)")
        let mismatches = zip(got, want).count { $0 != $1 }
        let maxAbs = zip(got, want).map { Double($0.magnitudeDifference(from: $1)) }.max() ?? 0
        self.init(name: name, shape: shape, maxAbs: maxAbs, maxRel: mismatches == 0 ? 0 : .infinity,
                  tolerance: nil, mismatches: mismatches, ok: mismatches == 0)
    }

    public init(name: String, shape: [Int], maxAbs: Double, maxRel: Double, tolerance: Double?,
                mismatches: Int?, ok: Bool) {
        self.name = name
        self.shape = shape
        self.maxAbs = maxAbs
        self.maxRel = maxRel
        self.tolerance = tolerance
        self.mismatches = mismatches
        self.ok = ok
    }
}

extension Int64 {
    /// |self − other| without overflow.
    func magnitudeDifference(from other: Int64) -> UInt64 {
        self >= other ? UInt64(bitPattern: self &- other) : UInt64(bitPattern: other &- self)
    }
}
