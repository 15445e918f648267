/// The project's one seeded random stream: SplitMix64 bits, uniforms from their top 53 bits,
/// normals by Box–Muller with ``PortableMath``, so a seed gives bit-identical numbers on every
/// platform and in every build. Not for cryptography.
///
/// - ``next()``: SplitMix64 (Steele, Lea, Flood 2014): the state advances by
///   0x9E3779B97F4A7C15 and is mixed into the output; seed 0 starts 0xE220A8397B1DCDAF.
/// - ``nextUniform()``: one draw b, then (b >> 11)·2⁻⁵³, in [0, 1).
/// - ``nextNormal()``: two draws b₁, b₂, then u₁ = ((b₁ >> 11) + 1)·2⁻⁵³ in (0, 1],
///   u₂ = (b₂ >> 11)·2⁻⁵³ in [0, 1), r = √(−2 ln u₁); returns r·cos 2πu₂ and keeps r·sin 2πu₂
///   for the next ``nextNormal()`` call (``next()`` and ``nextUniform()`` leave it in place).
///
/// docs/random.md spells out the same steps for ports (tools/rank_reference.py is one).
///
/// ```swift
/// var rng = SeededRandom(seed: 42)
/// let u = rng.nextUniform()   // in [0, 1)
/// let z = rng.nextNormal()    // standard normal
/// ```
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    /// The sine half of the last Box–Muller pair, if not yet returned.
    private var spareNormal: Double?

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits (SplitMix64).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in [lower, upper): lower + (upper − lower)·``nextUniform()``.
    public mutating func nextUniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * nextUniform()
    }

    /// A standard normal deviate (Box–Muller; the pair's sine half is kept for the next call).
    public mutating func nextNormal() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        let u1 = (Double(next() >> 11) + 1) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        let r = (-2 * PortableMath.log(u1)).squareRoot()
        let (s, c) = PortableMath.sinCosTwoPi(u2)
        spareNormal = r * s
        return r * c
    }

    /// A rows×cols matrix of ``nextNormal()`` samples in row-major order, each divided by `divisor`.
    public mutating func normalMatrix(rows: Int, cols: Int, divisor: Double = 1) -> Matrix<Double> {
        var m = Matrix<Double>(rows: rows, cols: cols)
        for i in m.data.indices { m.data[i] = nextNormal() / divisor }
        return m
    }
}
