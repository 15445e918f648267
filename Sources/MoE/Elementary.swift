#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// exp, log and the logistic function for the layer's two scalar types.
///
/// `BLASScalar` has exactly two conformers, Float and Double. Double uses the C library;
/// Float's exp is `inlineExp` below (the hot loops call it millions of times a step, and an
/// inlined polynomial lets them vectorise where a libm call would not). The type test folds
/// away when the generic code is specialised.
extension BLASScalar {
    @inline(__always) static func exp(_ x: Self) -> Self {
        if Self.self == Float.self { return Self(inlineExp(Float(x))) }
        return Self(elementaryExp(Double(x)))
    }

    @inline(__always) static func log(_ x: Self) -> Self {
        if Self.self == Float.self { return Self(elementaryLog(Float(x))) }
        return Self(elementaryLog(Double(x)))
    }

    /// σ(x) = 1 / (1 + e^(−x)).
    @inline(__always) static func sigmoid(_ x: Self) -> Self {
        1 / (1 + exp(-x))
    }
}

// The C library routines under names that the static members above do not shadow.
@inline(__always) func elementaryExp(_ x: Double) -> Double { exp(x) }
@inline(__always) func elementaryLog(_ x: Float) -> Float { logf(x) }
@inline(__always) func elementaryLog(_ x: Double) -> Double { log(x) }

/// e^x in Float to within 1 ulp (measured over [−87, 88]), Cephes' `expf`: x = n ln 2 + r
/// with |r| ≤ ln 2 / 2, e^r by a degree-6 polynomial, 2^n put into the exponent bits.
///
/// x is clamped to [−87.3, 88.3], so the result stays a normal float: e^(−∞) gives
/// 1.2e−38 rather than 0 and e^(+∞) 2.2e38 rather than +∞ (harmless in softmax and σ,
/// whose callers subtract the maximum or add 1). NaN propagates, without a trap: the
/// integer n is read from the bits of a float, never converted.
@inline(__always) func inlineExp(_ x: Float) -> Float {
    let xc: Float = x < -87.3 ? -87.3 : (x > 88.3 ? 88.3 : x)
    // t = round(x / ln 2) + 1.5·2^23: adding 1.5·2^23 rounds to an integer, whose value
    // then sits in the low mantissa bits of t.
    let t = xc * 1.442_695_04 + 12_582_912
    let n = t - 12_582_912
    // r = x − n ln 2, with ln 2 split in two (0.693359375 − 2.12194440e−4) for exactness.
    let r = xc - n * 0.693_359_375 + n * 2.121_944_40e-4
    var p: Float = 1.987_569_150_0e-4
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    let er = p * r * r + r + 1
    // 2^n: n + 127 into the exponent field (n is t's bits minus those of 1.5·2^23).
    let scale = Float(bitPattern: ((t.bitPattern &- 0x4B40_0000) &+ 127) << 23)
    return er * scale
}
