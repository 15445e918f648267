import BigInt
import Combinatorics
import Foundation
import Testing

/// The DAG value type, the enumerators' contracts, and isomorphism classes against
/// brute-force canonical forms.
struct DagsEnumerationTests {
    @Test("a path 0→1→2 and a fork: properties by hand")
    func handExamples() {
        let path = LabeledDAG(k: 3, edges: [(0, 1), (1, 2)])
        #expect(path.longestPath == 2)
        #expect(path.sourceCount == 1 && path.sinkCount == 1)
        #expect(path.isWeaklyConnected)
        #expect(path.bitString == "010001000")
        #expect(path.edges.map { [$0.from, $0.to] } == [[0, 1], [1, 2]])
        let split = LabeledDAG(k: 4, edges: [(2, 0)])
        #expect(split.longestPath == 1)
        #expect(split.sourceCount == 3 && split.sinkCount == 3)
        #expect(!split.isWeaklyConnected)
        #expect(LabeledDAG(k: 1, rows: 0).longestPath == 0)
        #expect(LabeledDAG(k: 1, rows: 0).isWeaklyConnected)
    }

    @Test("the enumeration counts match the labeled recurrence for k = 0…5")
    func countsMatchRecurrence() {
        let a = labeledDAGCounts(upTo: 5)
        for k in 0...5 {
            var visited = 0
            #expect(enumerateLabeledDAGs(k: k) { _ in visited += 1 })
            #expect(BigInt(visited) == a[k])
        }
    }

    @Test("progress returning false stops the enumeration at once")
    func stopsEarly() {
        var visited = 0, calls: [Int] = []
        let completed = enumerateLabeledDAGs(k: 5, progressEvery: 1000, progress: { calls.append($0); return $0 < 3000 }) { _ in
            visited += 1
        }
        #expect(!completed)
        #expect(visited == 3000)
        #expect(calls == [1000, 2000, 3000])
        #expect(!enumerateDAGClasses(k: 5, progressEvery: 10, progress: { _ in false }) { _, _ in })
    }

    /// Canonical form by brute force: the smallest rows word over all k! relabelings.
    static func bruteCanonical(_ dag: LabeledDAG) -> (form: UInt64, automorphisms: Int) {
        var best = UInt64.max, fixed = 0
        func permutations(_ prefix: [Int]) -> [[Int]] {
            prefix.count == dag.k ? [prefix]
                : (0..<dag.k).filter { !prefix.contains($0) }.flatMap { permutations(prefix + [$0]) }
        }
        for sigma in permutations([]) {
            let image = LabeledDAG(k: dag.k, edges: dag.edges.map { (sigma[$0.from], sigma[$0.to]) }).rows
            best = min(best, image)
            if image == dag.rows { fixed += 1 }
        }
        return (best, fixed)
    }

    @Test("classes equal brute-force canonical forms, with and without filters, k = 1…4", arguments: 1...4)
    func classesMatchBruteForce(k: Int) {
        let filters = [DAGFilter(), DAGFilter(oneSink: true), DAGFilter(weaklyConnected: true),
                       DAGFilter(oneSource: true, maxDepth: 2)]
        var labeled: [LabeledDAG] = []
        enumerateLabeledDAGs(k: k) { labeled.append($0) }
        for filter in filters {
            let kept = labeled.filter { filter.accepts($0, longestPath: $0.longestPath) }
            let forms = Set(kept.map { DagsEnumerationTests.bruteCanonical($0).form })
            var classes: [(LabeledDAG, Int)] = []
            let census = dagClassCensus(k: k, filter: filter, matched: { classes.append(($0, $1)) }).census
            #expect(census.count == forms.count, "\(filter)")
            #expect(Set(classes.map { DagsEnumerationTests.bruteCanonical($0.0).form }) == forms, "\(filter)")
            #expect(census.labelings == kept.count, "\(filter)")
            for (dag, automorphisms) in classes {
                #expect(DagsEnumerationTests.bruteCanonical(dag).automorphisms == automorphisms)
                #expect(dag.edges.allSatisfy { $0.from < $0.to }, "canonical forms are upper triangular")
            }
        }
    }

    @Test("class enumeration agrees with the cycle-index count and covers all labeled DAGs, k = 0…6")
    func classesMatchCycleIndex() {
        let unlabeled = unlabeledDAGCounts(upTo: 6), labeled = labeledDAGCounts(upTo: 6)
        for k in 0...6 {
            let census = dagClassCensus(k: k, filter: DAGFilter()).census
            #expect(BigInt(census.count) == unlabeled[k])
            #expect(BigInt(census.labelings) == labeled[k])
        }
    }

    @Test("k = 6 enumerates all 3,781,503 DAGs with every family equal to the recurrences",
          .enabled(if: ProcessInfo.processInfo.environment["ANALYZE_SLOW_TESTS"] != nil))
    func fullSix() {
        let counts = CombinationCounter(maxK: 6).counts(n: 6, k: 6, maxDepth: 5)
        #expect(BigInt(labeledDAGCensus(k: 6, filter: DAGFilter()).census.count) == counts.labeledDAGs)
        #expect(BigInt(labeledDAGCensus(k: 6, filter: DAGFilter(oneSink: true)).census.count) == counts.oneSinkDAGs)
        #expect(BigInt(labeledDAGCensus(k: 6, filter: DAGFilter(oneSource: true)).census.count) == counts.oneSourceDAGs)
        #expect(BigInt(labeledDAGCensus(k: 6, filter: DAGFilter(weaklyConnected: true)).census.count)
                == counts.weaklyConnectedDAGs)
        for (depth, count) in counts.depthAtMost {
            #expect(BigInt(labeledDAGCensus(k: 6, filter: DAGFilter(maxDepth: depth)).census.count) == count)
        }
    }
}
