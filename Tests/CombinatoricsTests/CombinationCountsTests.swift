import Testing
import BigInt
@testable import Combinatorics

@Suite struct CombinationCountsTests {
    @Test func topTwoOfEight() {
        let c = CombinationCounter(maxK: 2).counts(n: 8, k: 2, maxDepth: 4)
        #expect(c.weightedSum == 28)
        #expect(c.ordered == 56)
        #expect(c.labeledDAGs == 3)
        #expect(c.structural == 84)
        #expect(c.realizable.structural == BigInt(84))
        #expect(c.realizable.roundPatterns == 14)
        #expect(c.realizable.patterns.map(\.count) == [14, 196, 2744, 38416].map { BigInt($0) })
        // C(n′, 2) ≥ 84: C(13, 2) = 78, C(14, 2) = 91.
        #expect(c.equivalentExperts == 14)
        // C(16, 4) = 1820 ≥ 84.
        #expect(c.equivalentGranularity == 2)
        #expect(c.depthAtMost.map(\.depth) == [1, 2, 3, 4])
        #expect(c.depthAtMost.map(\.count) == [3, 3, 3, 3])
        #expect(c.modulePatterns.map(\.count) == [16, 256, 4096, 65536].map { BigInt($0) })
    }

    @Test func frontDoorConfiguration() {
        let c = CombinationCounter(maxK: 8).counts(n: 64, k: 8, maxDepth: 4)
        #expect(c.weightedSum.description == "4426165368")
        #expect(c.structural == c.weightedSum * BigInt(783_702_329_343))
        #expect(c.depthAtMost.count == 4)
        #expect(c.weaklyConnectedDAGs?.description == "774460794326")
    }

    @Test func familiesStopPastTheirLimits() {
        let k = CountLimits.maxKDepth + 1
        let c = CombinationCounter(maxK: k).counts(n: k, k: k, maxDepth: 2)
        #expect(c.depthAtMost.map(\.depth) == [1, 2] && c.depthAtMost.allSatisfy { $0.count == nil })
        #expect(c.modulePatternsUpToRelabeling.count == 2 && c.modulePatternsUpToRelabeling.allSatisfy { $0.count == nil })
        #expect(c.equivalentGranularity == nil)
        #expect(c.weaklyConnectedDAGs != nil)
    }
}
