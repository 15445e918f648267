/// Mean, sample standard deviation and the 95% confidence interval of the mean (Student t,
/// n − 1 degrees of freedom) of a few numbers, such as one model's final losses over seeds.
public struct SampleSummary: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    /// Sample standard deviation (n − 1); 0 for one value.
    public let std: Double
    /// mean ± t_{0.975, n−1}·std/√n; nil for fewer than two values.
    public let interval95: (low: Double, high: Double)?

    public init(_ xs: [Double]) {
        count = xs.count
        mean = xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count)
        let m = mean
        std = xs.count > 1 ? (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot() : 0
        if xs.count > 1 {
            let half = StudentT(degreesOfFreedom: Double(xs.count - 1)).quantile(0.975) * std / Double(xs.count).squareRoot()
            interval95 = (mean - half, mean + half)
        } else {
            interval95 = nil
        }
    }

    public static func == (a: SampleSummary, b: SampleSummary) -> Bool {
        a.count == b.count && a.mean == b.mean && a.std == b.std
            && a.interval95?.low == b.interval95?.low && a.interval95?.high == b.interval95?.high
    }
}

/// The paired t test of two samples measured on the same units (the same seeds, hence the
/// same data and initial streams): t = mean(d)/(sd(d)/√n) for d = a − b, n − 1 degrees of freedom.
public struct PairedComparison: Sendable {
    /// The differences a − b.
    public let differences: SampleSummary
    /// t; ±∞ when every difference is the same nonzero value, NaN when all are zero.
    public let t: Double
    public let degreesOfFreedom: Int
    /// Two-sided p-value; nil for fewer than two pairs.
    public let p: Double?

    /// Pairs `a[i]` with `b[i]`; the arrays must have the same length.
    public init(_ a: [Double], _ b: [Double]) {
        precondition(a.count == b.count, "PairedComparison needs samples of the same length")
        differences = SampleSummary(zip(a, b).map { $0 - $1 })
        degreesOfFreedom = a.count - 1
        guard a.count > 1 else {
            t = .nan
            p = nil
            return
        }
        let se = differences.std / Double(a.count).squareRoot()
        t = se > 0 ? differences.mean / se : (differences.mean == 0 ? .nan : (differences.mean > 0 ? .infinity : -.infinity))
        p = t.isNaN ? 1 : StudentT(degreesOfFreedom: Double(degreesOfFreedom)).twoSidedP(t)
    }
}
