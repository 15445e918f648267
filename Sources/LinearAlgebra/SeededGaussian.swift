/// SplitMix64 (Steele, Lea, Flood 2014): a small seeded generator whose stream is the same on
/// every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Standard normal samples by the Box–Muller transform over ``SplitMix64``.
///
/// Each pair of 64-bit draws gives u₁ = (top 53 bits + 1)·2⁻⁵³ in (0, 1] and u₂ = (top 53 bits)·2⁻⁵³
/// in [0, 1), then z₀ = √(−2 ln u₁)·cos 2πu₂ and z₁ = √(−2 ln u₁)·sin 2πu₂, returned in that
/// order. The logarithm and the circle functions are ``PortableMath``'s, so a seed gives the same
/// numbers on every platform (tools/rank_reference.py reproduces the stream in Python).
public struct SeededGaussian: Sendable {
    private var bits: SplitMix64
    private var pending: Double?

    public init(seed: UInt64) { bits = SplitMix64(seed: seed) }

    /// The next N(0, 1) sample.
    public mutating func next() -> Double {
        if let z = pending {
            pending = nil
            return z
        }
        let u1 = (Double(bits.next() >> 11) + 1) * 0x1p-53
        let u2 = Double(bits.next() >> 11) * 0x1p-53
        let r = (-2 * PortableMath.log(u1)).squareRoot()
        let (s, c) = PortableMath.sinCosTwoPi(u2)
        pending = r * s
        return r * c
    }

    /// A rows×cols matrix of samples in row-major order, each divided by `divisor`.
    public mutating func matrix(rows: Int, cols: Int, divisor: Double = 1) -> Matrix<Double> {
        var m = Matrix<Double>(rows: rows, cols: cols)
        for i in m.data.indices { m.data[i] = next() / divisor }
        return m
    }
}
