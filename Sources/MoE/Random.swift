/// A seeded, deterministic random source: xoshiro256** seeded through SplitMix64.
///
/// The same seed gives the same stream on every platform and in every build, which
/// makes initialisation, synthetic data and tests reproducible. Not for cryptography.
///
/// ```swift
/// var rng = SeededRandom(seed: 42)
/// let u = rng.nextUniform()   // in [0, 1)
/// let z = rng.nextNormal()    // standard normal
/// ```
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    /// The second normal deviate of the last Box–Muller pair, if unused.
    private var spareNormal: Double?

    /// A generator whose 256-bit state is four successive SplitMix64 outputs of `seed`
    /// (never all zero, since SplitMix64 is a bijection of distinct counters).
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1), with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in [lower, upper).
    public mutating func nextUniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * nextUniform()
    }

    /// A standard normal deviate (Box–Muller; the pair's second value is kept for the next call).
    public mutating func nextNormal() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        // u1 in (0, 1] so that log(u1) is finite.
        let u1 = 1 - nextUniform(), u2 = nextUniform()
        let r = (-2 * elementaryLog(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = r * elementarySin(angle)
        return r * elementaryCos(angle)
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
