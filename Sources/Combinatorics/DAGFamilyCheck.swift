import BigInt

/// The count `analyze count` gives for an enumerated family of DAGs: the key and its value.
public struct DAGFamilyCheck: Sendable, Equatable {
    /// The `analyze count` key, for example `dags.one_sink`.
    public let family: String
    public let expected: BigInt

    public init(family: String, expected: BigInt) {
        self.family = family
        self.expected = expected
    }

    /// The count for the DAGs that pass `filter` (classes: isomorphism classes), when exactly one
    /// family of `analyze count` matches; nil otherwise (depth 0, the edgeless DAG alone, is no
    /// family of `analyze count`, whose depths start at 1).
    public static func matching(k: Int, filter: DAGFilter, classes: Bool) -> DAGFamilyCheck? {
        if classes {
            return filter.isEmpty ? DAGFamilyCheck(family: "dags.unlabeled", expected: unlabeledDAGCounts(upTo: k)[k]) : nil
        }
        let labeled = labeledDAGCounts(upTo: k)
        switch (filter.oneSink, filter.oneSource, filter.weaklyConnected, filter.maxDepth) {
        case (false, false, false, nil):
            return DAGFamilyCheck(family: "dags.labeled", expected: labeled[k])
        case (true, false, false, nil):
            return DAGFamilyCheck(family: "dags.one_sink", expected: dagsWithExactSources(k, sources: 1, labeled: labeled))
        case (false, true, false, nil):
            return DAGFamilyCheck(family: "dags.one_source", expected: dagsWithExactSources(k, sources: 1, labeled: labeled))
        case (false, false, true, nil):
            return DAGFamilyCheck(family: "dags.weakly_connected", expected: weaklyConnectedDAGCounts(labeled: labeled)[k])
        case (false, false, false, let depth?) where depth >= 1:
            return DAGFamilyCheck(family: "dags.depth_at_most.\(depth)",
                                  expected: depthLimitedDAGCounts(k, depths: [min(depth, k - 1)])[0])
        default:
            return nil
        }
    }

    /// The realizable counts an enumeration of all DAGs on k nodes is checked against: labeled
    /// interval orders (`realizable.round_dags`) and, for classes, Fishburn numbers.
    public static func realizable(k: Int, classes: Bool) -> DAGFamilyCheck {
        classes ? DAGFamilyCheck(family: "realizable.round_dags_up_to_relabeling", expected: fishburnCounts(upTo: k)[k])
                : DAGFamilyCheck(family: "realizable.round_dags", expected: intervalOrderCounts(upTo: k)[k])
    }
}
