/// Which DAGs to keep: the families `analyze count` counts, combinable.
public struct DAGFilter: Sendable, Equatable {
    /// Exactly one node without outgoing edges.
    public var oneSink = false
    /// Exactly one node without incoming edges.
    public var oneSource = false
    /// Connected when edge directions are ignored.
    public var weaklyConnected = false
    /// Longest path at most this many edges; nil for no limit.
    public var maxDepth: Int?

    public init(oneSink: Bool = false, oneSource: Bool = false, weaklyConnected: Bool = false, maxDepth: Int? = nil) {
        self.oneSink = oneSink
        self.oneSource = oneSource
        self.weaklyConnected = weaklyConnected
        self.maxDepth = maxDepth
    }

    /// Whether nothing is filtered out.
    public var isEmpty: Bool { self == DAGFilter() }

    /// Whether `dag`, whose longest path is given, passes every condition.
    @inline(__always)
    public func accepts(_ dag: LabeledDAG, longestPath: Int) -> Bool {
        if let maxDepth, longestPath > maxDepth { return false }
        if oneSink && dag.sinkCount != 1 { return false }
        if oneSource && dag.sourceCount != 1 { return false }
        if weaklyConnected && !dag.isWeaklyConnected { return false }
        return true
    }
}

/// Tallies of the DAGs that passed a filter: how many, and how many per longest-path
/// length and per edge count.
public struct DAGCensus: Sendable, Equatable {
    public let k: Int
    /// DAGs (or classes) counted.
    public private(set) var count = 0
    /// byLongestPath[d]: those whose longest path has d edges, d = 0…k−1.
    public private(set) var byLongestPath: [Int]
    /// byEdges[e]: those with e edges, e = 0…k(k−1)/2.
    public private(set) var byEdges: [Int]
    /// Σ k!/|Aut| over the classes counted: the labeled DAGs they stand for
    /// (0 for a census of labeled DAGs).
    public private(set) var labelings = 0

    public init(k: Int) {
        self.k = k
        byLongestPath = [Int](repeating: 0, count: max(k, 1))
        byEdges = [Int](repeating: 0, count: k * (k - 1) / 2 + 1)
    }

    /// Counts one DAG with the given longest path.
    @inline(__always)
    public mutating func add(_ dag: LabeledDAG, longestPath: Int) {
        count += 1
        byLongestPath[max(longestPath, 0)] += 1
        byEdges[dag.edgeCount] += 1
    }

    /// Counts one class with `automorphisms` automorphisms.
    public mutating func addClass(_ dag: LabeledDAG, longestPath: Int, automorphisms: Int) {
        add(dag, longestPath: longestPath)
        labelings += (1...max(k, 1)).reduce(1, *) / automorphisms
    }
}

/// Enumerates the labeled DAGs on k nodes that pass `filter` and tallies them.
///
/// - Parameters:
///   - matched: called with each DAG that passes, in enumeration order.
///   - interval, progress: `progress` is called every `interval` DAGs with the number
///     enumerated (of a(k)); false stops.
/// - Returns: the census, and whether the enumeration ran to the end.
public func labeledDAGCensus(k: Int, filter: DAGFilter, progressEvery interval: Int = 1 << 16,
                             progress: (Int) -> Bool = { _ in true },
                             matched: (LabeledDAG) -> Void = { _ in }) -> (census: DAGCensus, completed: Bool) {
    var census = DAGCensus(k: k)
    let completed = enumerateLabeledDAGs(k: k, progressEvery: interval, progress: progress) { dag in
        let depth = dag.longestPath
        guard filter.accepts(dag, longestPath: depth) else { return }
        census.add(dag, longestPath: depth)
        matched(dag)
    }
    return (census, completed)
}

/// Enumerates the isomorphism classes of DAGs on k nodes that pass `filter` (every
/// condition is invariant under relabeling) and tallies them.
///
/// - Parameters:
///   - matched: called with each canonical form that passes and its automorphism count.
///   - progress: called every 2^12 matrices with the number tested (of 2^(k(k−1)/2)); false stops.
/// - Returns: the census, and whether the enumeration ran to the end.
public func dagClassCensus(k: Int, filter: DAGFilter,
                           progress: (Int) -> Bool = { _ in true },
                           matched: (LabeledDAG, Int) -> Void = { _, _ in }) -> (census: DAGCensus, completed: Bool) {
    var census = DAGCensus(k: k)
    let completed = enumerateDAGClasses(k: k, progress: progress) { dag, automorphisms in
        let depth = dag.longestPath
        guard filter.accepts(dag, longestPath: depth) else { return }
        census.addClass(dag, longestPath: depth, automorphisms: automorphisms)
        matched(dag, automorphisms)
    }
    return (census, completed)
}
