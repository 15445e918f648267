import BigInt

/// What `analyze dags --realizable` tallies over every labeled DAG on k nodes.
public struct RealizableCensus: Sendable, Equatable {
    public let k: Int
    /// Every labeled DAG.
    public var dags = 0
    /// DAGs whose adjacency matrix is lonesum (one round of the edge gate can produce them).
    public var lonesum = 0
    /// DAGs that are interval orders by the poset test.
    public var intervalOrders = 0
    /// Distinct (out-degree, in-degree) vectors over all DAGs: what one last round shows the readout.
    public var marginClasses = 0
    /// Distinct margins over the lonesum DAGs (equal to `lonesum`: no two share margins).
    public var lonesumMarginClasses = 0

    public init(k: Int) { self.k = k }
}

/// Enumerates every labeled DAG on k nodes and classifies it: lonesum, interval order, margins.
///
/// - Parameters:
///   - interval, progress: `progress` is called every `interval` DAGs with the number enumerated
///     (of a(k)); false stops.
/// - Returns: the census, and whether the enumeration ran to the end.
public func realizableDAGCensus(k: Int, progressEvery interval: Int = 1 << 16,
                                progress: (Int) -> Bool = { _ in true }) -> (census: RealizableCensus, completed: Bool) {
    var census = RealizableCensus(k: k)
    var margins = Set<UInt64>(), lonesumMargins = Set<UInt64>()
    let completed = enumerateLabeledDAGs(k: k, progressEvery: interval, progress: progress) { dag in
        census.dags += 1
        let key = dag.margins
        margins.insert(key)
        if dag.isLonesum {
            census.lonesum += 1
            lonesumMargins.insert(key)
        }
        if dag.isIntervalOrder { census.intervalOrders += 1 }
    }
    census.marginClasses = margins.count
    census.lonesumMarginClasses = lonesumMargins.count
    return (census, completed)
}

/// Isomorphism classes of DAGs on k nodes that are interval orders (unlabeled interval orders).
/// - Returns: the count, and whether the enumeration ran to the end.
public func intervalOrderClassCount(k: Int, progress: (Int) -> Bool = { _ in true }) -> (count: Int, completed: Bool) {
    var count = 0
    let completed = enumerateDAGClasses(k: k, progress: progress) { dag, _ in
        if dag.isIntervalOrder { count += 1 }
    }
    return (count, completed)
}
