import BigInt
import Foundation

/// Number formatting shared by every command's output.
public enum Numbers {
    /// A log10 with three decimals ("17.534"); "-inf" for zero.
    public static func log10(_ x: Double) -> String {
        x.isFinite ? String(format: "%.3f", x) : (x < 0 ? "-inf" : "inf")
    }

    /// A compact float: %.4g, or %.3e for very small or large magnitudes.
    public static func short(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf") }
        let a = Swift.abs(x)
        return (a != 0 && (a < 1e-3 || a >= 1e6)) ? String(format: "%.3e", x) : String(format: "%.4g", x)
    }

    /// An error or ratio in scientific notation with three digits ("0" for exactly zero).
    public static func sci(_ x: Double) -> String {
        x == 0 ? "0" : (x.isFinite ? String(format: "%.2e", x) : (x.isNaN ? "nan" : "inf"))
    }

    /// A measured figure rounded to four significant digits for JSON (timings, rates).
    public static func rounded(_ x: Double) -> Double { Double(String(format: "%.4g", x)) ?? x }

    /// A loss or similar figure with six significant digits; empty for NaN (a missing value in CSV).
    public static func sixDigits(_ x: Double) -> String { x.isNaN ? "" : String(format: "%.6g", x) }

    /// The exact decimal digits when there are at most `maxDigits` of them; otherwise the
    /// leading and trailing digits around "…", with the digit count: "123…789 (151,235 digits)".
    public static func abbreviated(_ value: BigInt, maxDigits: Int) -> String {
        let s = value.description
        let digits = s.hasPrefix("-") ? s.count - 1 : s.count
        guard digits > maxDigits, maxDigits >= 10 else { return s }
        let keep = (maxDigits - 2) / 2
        return "\(s.prefix(keep + (s.hasPrefix("-") ? 1 : 0)))…\(s.suffix(keep)) (\(grouped(digits)) digits)"
    }

    /// An integer with thousands separators: 3,781,503.
    public static func grouped(_ n: Int) -> String {
        let s = String(Swift.abs(n))
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
