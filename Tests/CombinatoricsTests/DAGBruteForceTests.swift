import BigInt
import Combinatorics
import Testing

/// Every DAG family `analyze count` reports, checked against brute force for k ≤ 5:
/// all 3^(k(k−1)/2) ways to orient or omit each pair of nodes, kept when acyclic,
/// with each property computed by plain graph algorithms on a Bool matrix.
/// The fast enumerator and its census must find exactly the same DAGs and tallies.
struct DAGBruteForceTests {
    /// A directed graph as a Bool matrix, with textbook algorithms for each property.
    struct Digraph {
        let k: Int
        var edge: [[Bool]]

        /// Kahn's algorithm: acyclic when every node can be removed as a source.
        var isAcyclic: Bool {
            var indegree = (0..<k).map { j in (0..<k).filter { edge[$0][j] }.count }
            var ready = (0..<k).filter { indegree[$0] == 0 }, removed = 0
            while let i = ready.popLast() {
                removed += 1
                for j in 0..<k where edge[i][j] {
                    indegree[j] -= 1
                    if indegree[j] == 0 { ready.append(j) }
                }
            }
            return removed == k
        }

        /// Longest path in edges, by memoized depth-first search.
        var longestPath: Int {
            var memo = [Int?](repeating: nil, count: k)
            func from(_ i: Int) -> Int {
                if let m = memo[i] { return m }
                let best = (0..<k).filter { edge[i][$0] }.map { from($0) + 1 }.max() ?? 0
                memo[i] = best
                return best
            }
            return (0..<k).map(from).max() ?? 0
        }

        var sources: Int { (0..<k).filter { j in !(0..<k).contains { edge[$0][j] } }.count }
        var sinks: Int { (0..<k).filter { i in !(0..<k).contains { edge[i][$0] } }.count }

        /// Union–find over the edges with directions dropped.
        var isWeaklyConnected: Bool {
            var parent = Array(0..<k)
            func root(_ i: Int) -> Int { parent[i] == i ? i : root(parent[i]) }
            for i in 0..<k { for j in 0..<k where edge[i][j] { parent[root(i)] = root(j) } }
            return Set((0..<k).map(root)).count == 1
        }

        var edgeCount: Int { edge.joined().filter { $0 }.count }

        var rows: UInt64 {
            var r: UInt64 = 0
            for i in 0..<k { for j in 0..<k where edge[i][j] { r |= 1 << (8 * i + j) } }
            return r
        }
    }

    /// One brute-force DAG with its properties, each computed once.
    struct Found {
        let rows: UInt64, longestPath: Int, sources: Int, sinks: Int, isWeaklyConnected: Bool, edgeCount: Int
        init(_ g: Digraph) {
            rows = g.rows
            longestPath = g.longestPath
            sources = g.sources
            sinks = g.sinks
            isWeaklyConnected = g.isWeaklyConnected
            edgeCount = g.edgeCount
        }
    }

    /// Every acyclic digraph on k nodes, by brute force over orientations.
    static func allDAGs(_ k: Int) -> [Found] {
        let pairs = (0..<k).flatMap { i in (i + 1..<k).map { (i, $0) } }
        var out: [Found] = []
        var code = 0
        let total = (0..<pairs.count).reduce(1) { p, _ in p * 3 }
        while code < total {
            var g = Digraph(k: k, edge: Array(repeating: Array(repeating: false, count: k), count: k))
            var c = code
            for (i, j) in pairs {
                switch c % 3 {
                case 1: g.edge[i][j] = true
                case 2: g.edge[j][i] = true
                default: break
                }
                c /= 3
            }
            if g.isAcyclic { out.append(Found(g)) }
            code += 1
        }
        return out
    }

    /// allDAGs(k) for k = 0…5, found once for all tests.
    static let found: [[Found]] = (0...5).map(allDAGs)

    @Test("every family of analyze count equals brute force, k = 1…5 (29281 DAGs at k = 5)",
          arguments: 1...5)
    func countFamilies(k: Int) {
        let dags = DAGBruteForceTests.found[k]
        let counts = CombinationCounter(maxK: 5).counts(n: 5, k: k, maxDepth: 4)
        #expect(BigInt(dags.count) == counts.labeledDAGs)
        #expect(BigInt(dags.filter { $0.sinks == 1 }.count) == counts.oneSinkDAGs)
        #expect(BigInt(dags.filter { $0.sources == 1 }.count) == counts.oneSourceDAGs)
        #expect(BigInt(dags.filter(\.isWeaklyConnected).count) == counts.weaklyConnectedDAGs)
        #expect(counts.depthAtMost.map(\.depth) == [1, 2, 3, 4])
        for (depth, count) in counts.depthAtMost {
            #expect(BigInt(dags.filter { $0.longestPath <= depth }.count) == count, "depth ≤ \(depth)")
        }
        if k == 5 { #expect(dags.count == 29281) }
    }

    @Test("every DAG on k nodes has depth ≤ k − 1, and depth_at_most.(k − 1) is the labeled count, k = 1…5",
          arguments: 1...5)
    func depthAtMostKMinusOneIsEveryDAG(k: Int) {
        let dags = DAGBruteForceTests.found[k]
        #expect(dags.map(\.longestPath).max() == k - 1)
        let counts = CombinationCounter(maxK: 5).counts(n: 5, k: k, maxDepth: 8)
        for (depth, count) in counts.depthAtMost where depth >= k - 1 {
            #expect(count == counts.labeledDAGs, "depth ≤ \(depth)")
        }
        // The layered recurrence, independently of the shortcut: at L = k − 1 it counts every DAG.
        #expect(depthLimitedDAGCounts(k, depths: [k - 1, k + 2]) == [counts.labeledDAGs, counts.labeledDAGs])
    }

    @Test("the enumerator visits exactly the brute-force DAGs, once each, k = 0…5", arguments: 0...5)
    func enumeratorMatchesBruteForce(k: Int) {
        var seen: [UInt64] = []
        enumerateLabeledDAGs(k: k) { seen.append($0.rows) }
        let expected = Set(DAGBruteForceTests.found[k].map(\.rows))
        #expect(seen.count == expected.count)
        #expect(Set(seen) == expected)
    }

    @Test("the census of each filter equals brute-force tallies, k = 1…5", arguments: 1...5)
    func censusMatchesBruteForce(k: Int) {
        let dags = DAGBruteForceTests.found[k]
        let filters: [(DAGFilter, (Found) -> Bool)] = [
            (DAGFilter(), { _ in true }),
            (DAGFilter(oneSink: true), { $0.sinks == 1 }),
            (DAGFilter(oneSource: true), { $0.sources == 1 }),
            (DAGFilter(weaklyConnected: true), { $0.isWeaklyConnected }),
            (DAGFilter(maxDepth: 2), { $0.longestPath <= 2 }),
            (DAGFilter(oneSink: true, oneSource: true, weaklyConnected: true, maxDepth: 3),
             { $0.sinks == 1 && $0.sources == 1 && $0.isWeaklyConnected && $0.longestPath <= 3 }),
        ]
        for (filter, keep) in filters {
            let kept = dags.filter(keep)
            let census = labeledDAGCensus(k: k, filter: filter).census
            #expect(census.count == kept.count, "\(filter)")
            #expect(census.byLongestPath == (0..<k).map { d in kept.filter { $0.longestPath == d }.count }, "\(filter)")
            #expect(census.byEdges == (0...(k * (k - 1) / 2)).map { e in kept.filter { $0.edgeCount == e }.count },
                    "\(filter)")
        }
    }

    @Test("LabeledDAG's properties equal the brute-force ones on every DAG with k = 4")
    func propertiesMatch() {
        for g in DAGBruteForceTests.found[4] {
            let dag = LabeledDAG(k: 4, rows: g.rows)
            #expect(dag.longestPath == g.longestPath)
            #expect(dag.sourceCount == g.sources)
            #expect(dag.sinkCount == g.sinks)
            #expect(dag.isWeaklyConnected == g.isWeaklyConnected)
            #expect(dag.edgeCount == g.edgeCount)
        }
    }
}
