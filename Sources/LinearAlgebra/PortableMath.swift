/// Logarithm, sine and cosine from IEEE-754 additions, multiplications and divisions only.
///
/// The platform's libm may round `log` or `cos` differently in the last bit on another system;
/// these functions use no libm call, so ``SeededRandom``'s normals are bit-identical everywhere.
/// Accuracy is about one unit in the last place, which is all a random number generator needs.
enum PortableMath {
    static let ln2Hi = 6.93147180369123816490e-01
    static let ln2Lo = 1.90821492927058770002e-10

    /// The natural logarithm of a positive finite x.
    ///
    /// x = m·2^e with m in [√½, √2); log m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.172,
    /// summed to s²³ (the next term is below 1e-19).
    static func log(_ x: Double) -> Double {
        precondition(x > 0 && x.isFinite, "PortableMath.log needs a positive finite argument")
        var m = x.significand
        var e = Double(x.exponent)
        if m > 1.4142135623730951 {
            m /= 2
            e += 1
        }
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var p = 1.0 / 23
        for k in stride(from: 21, through: 3, by: -2) { p = p * s2 + 1.0 / Double(k) }
        let logM = 2 * s + 2 * s * s2 * p
        return e * ln2Hi + (logM + e * ln2Lo)
    }

    /// (sin 2πu, cos 2πu) for u in [0, 1).
    ///
    /// u·4 splits exactly into a quadrant q and a fraction f; f > ½ is mirrored to 1 − f (exact),
    /// so the Taylor series only meet angles in [0, π/4] (terms past degree 17 are below 1e-19).
    static func sinCosTwoPi(_ u: Double) -> (sin: Double, cos: Double) {
        precondition(u >= 0 && u < 1, "PortableMath.sinCosTwoPi needs u in [0, 1)")
        let v = u * 4
        let q = Int(v)
        let f = v - Double(q)
        let mirrored = f > 0.5
        let a = (mirrored ? 1 - f : f) * (Double.pi / 2)
        let a2 = a * a
        var sinA = 1.0, cosA = 1.0
        for k in stride(from: 8, through: 1, by: -1) {
            sinA = 1 - sinA * a2 / Double((2 * k) * (2 * k + 1))
            cosA = 1 - cosA * a2 / Double((2 * k - 1) * (2 * k))
        }
        sinA *= a
        let (s, c) = mirrored ? (cosA, sinA) : (sinA, cosA)
        switch q {
        case 0: return (s, c)
        case 1: return (c, -s)
        case 2: return (-s, -c)
        default: return (-c, s)
        }
    }
}
