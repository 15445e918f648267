import Analysis
import Foundation
import Testing

/// Student t and the paired test against textbook values.
@Suite struct StatisticsTests {
    /// Student's (1908) sleep data, Cushny and Peebles: extra hours of sleep under two drugs for
    /// the same ten patients. The paired test gives t = −4.0621, df = 9, p = 0.002833, 95%
    /// interval of the mean difference (−2.4599, −0.7001) (R: t.test(extra ~ group, paired = TRUE)).
    @Test func sleepDataPairedTest() throws {
        let drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
        let drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
        let test = PairedComparison(drug1, drug2)
        #expect(abs(test.t - -4.0621) < 5e-5)
        #expect(test.degreesOfFreedom == 9)
        #expect(abs(try #require(test.p) - 0.002833) < 5e-7)
        #expect(abs(test.differences.mean - -1.58) < 1e-12)
        let interval = try #require(test.differences.interval95)
        #expect(abs(interval.low - -2.4598858) < 1e-6 && abs(interval.high - -0.7001142) < 1e-6)
    }

    /// Table values: t_{0.975} for ν = 1, 4, 30 is 12.706, 2.776, 2.042; ν = 1 is Cauchy,
    /// whose CDF is 1/2 + atan(t)/π.
    @Test func quantilesAndCDFAgainstTables() {
        for (v, q) in [(1.0, 12.7062), (4, 2.7764), (30, 2.0423)] {
            #expect(abs(StudentT(degreesOfFreedom: v).quantile(0.975) - q) < 1e-4)
        }
        for t in [-3.0, -0.5, 0, 0.7, 10] {
            #expect(abs(StudentT(degreesOfFreedom: 1).cdf(t) - (0.5 + atan(t) / Double.pi)) < 1e-12)
        }
    }

    @Test func degenerateSamples() {
        #expect(SampleSummary([2]).interval95 == nil && SampleSummary([2]).std == 0)
        #expect(PairedComparison([1, 2], [1, 2]).p == 1)
        #expect(PairedComparison([1], [0]).p == nil)
    }
}
