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
/// `BLASScalar` has exactly two conformers, Float and Double; each call picks the
/// C library routine of its width (`expf` or `exp`). The type test folds away
/// when the generic code is specialised, so the hot loops pay nothing for it.
extension BLASScalar {
    @inline(__always) static func exp(_ x: Self) -> Self {
        if Self.self == Float.self { return Self(elementaryExp(Float(x))) }
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
@inline(__always) func elementaryExp(_ x: Float) -> Float { expf(x) }
@inline(__always) func elementaryExp(_ x: Double) -> Double { exp(x) }
@inline(__always) func elementaryLog(_ x: Float) -> Float { logf(x) }
@inline(__always) func elementaryLog(_ x: Double) -> Double { log(x) }
@inline(__always) func elementarySin(_ x: Double) -> Double { sin(x) }
@inline(__always) func elementaryCos(_ x: Double) -> Double { cos(x) }
