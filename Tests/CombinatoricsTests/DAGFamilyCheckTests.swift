import Testing
import BigInt
@testable import Combinatorics

/// The family check `analyze dags` runs, against enumeration.
@Suite struct DAGFamilyCheckTests {
    @Test func eachSingleFamilyMatchesItsEnumeration() {
        let filters: [DAGFilter] = [DAGFilter(), DAGFilter(oneSink: true), DAGFilter(oneSource: true),
                                    DAGFilter(weaklyConnected: true), DAGFilter(maxDepth: 1), DAGFilter(maxDepth: 2)]
        for k in 1...5 {
            for filter in filters {
                let check = try! #require(DAGFamilyCheck.matching(k: k, filter: filter, classes: false))
                #expect(BigInt(labeledDAGCensus(k: k, filter: filter).census.count) == check.expected, "k = \(k) \(check.family)")
            }
            let classes = try! #require(DAGFamilyCheck.matching(k: k, filter: DAGFilter(), classes: true))
            #expect(BigInt(dagClassCensus(k: k, filter: DAGFilter()).census.count) == classes.expected)
        }
    }

    @Test func combinedFiltersHaveNoFamily() {
        #expect(DAGFamilyCheck.matching(k: 4, filter: DAGFilter(oneSink: true, oneSource: true), classes: false) == nil)
        #expect(DAGFamilyCheck.matching(k: 4, filter: DAGFilter(oneSink: true), classes: true) == nil)
    }

    @Test func realizableFamilies() {
        #expect(DAGFamilyCheck.realizable(k: 4, classes: false) == DAGFamilyCheck(family: "realizable.round_dags", expected: 207))
        #expect(DAGFamilyCheck.realizable(k: 4, classes: true).expected == 15)
    }
}
