import CGMP
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exact integer of any size, backed by GMP, with value semantics.
///
/// Copies share storage until one of them is mutated (copy-on-write).
///
/// ```swift
/// let big = BigInt(2).power(200) - 1
/// print(big.bitWidth)   // 200
/// ```
public struct BigInt: Sendable {
    var storage: Storage

    init(storage: Storage) { self.storage = storage }

    public init(_ value: Int) { storage = Storage(value) }

    /// Zero, with room for `capacityBits` bits before GMP reallocates.
    public init(capacityBits: Int) { storage = Storage(capacityBits: capacityBits) }

    /// Parses a decimal string with an optional leading `-`; nil when it is not one.
    public init?(_ text: String) {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let s = Storage()
        guard cgmp_set_str(s.pointer, text, 10) == 0 else { return nil }
        storage = s
    }

    /// The number of live GMP values in this process (for leak tests).
    public static var liveCount: Int { Storage.live.load(ordering: .relaxed) }

    /// Makes the storage unique before an in-place mutation.
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
    }

    /// Builds a new value by running a GMP operation into fresh storage.
    static func make(_ body: (UnsafeMutablePointer<__mpz_struct>) -> Void) -> BigInt {
        let s = Storage()
        body(s.pointer)
        return BigInt(storage: s)
    }

    /// -1, 0 or 1.
    public var signum: Int { Int(cgmp_sgn(storage.pointer)) }

    public var isZero: Bool { signum == 0 }

    /// The value as an `Int`, or nil when it does not fit.
    public var asInt: Int? {
        cgmp_fits_slong_p(storage.pointer) != 0 ? cgmp_get_si(storage.pointer) : nil
    }

    /// Number of bits of |self| (0 for zero).
    public var bitWidth: Int {
        isZero ? 0 : Int(cgmp_sizeinbase(storage.pointer, 2))
    }

    /// log10 of |self| as a Double, accurate for numbers of any size; -inf for zero.
    public var log10: Double {
        guard !isZero else { return -.infinity }
        var exponent = 0
        let mantissa = cgmp_get_d_2exp(&exponent, storage.pointer)
        return _log10(Swift.abs(mantissa)) + Double(exponent) * _log10(2.0)
    }
}

private func _log10(_ x: Double) -> Double { log10(x) }
