/// Group-limited expert selection (DeepSeek-V2's `group_limited_greedy`, DeepSeek-V3's
/// `noaux_tc`), an extension of the spec's router (``LayerExtensions``).
///
/// The N experts form `count` groups of N/`count` consecutive experts. For each token the
/// group score is the largest selection score among the group's experts (V2), or the sum of
/// the two largest (V3); the `selected` groups with the highest scores are kept (ties: lower
/// group first), and the selection S is the top K among the kept experts, in descending
/// selection score (ties: lower index).
public struct RouterGroups: Sendable, Equatable, Codable {
    /// How a group is scored from its experts' selection scores.
    public enum Rank: String, Sendable, Codable, CaseIterable {
        /// The largest (DeepSeek-V2).
        case max
        /// The sum of the two largest (DeepSeek-V3, GLM-4.5, dots.llm1).
        case topTwoSum = "top2_sum"
    }

    /// G, the number of groups.
    public var count: Int
    /// How many groups each token keeps.
    public var selected: Int
    public var rank: Rank

    public init(count: Int, selected: Int, rank: Rank = .max) {
        self.count = count
        self.selected = selected
        self.rank = rank
    }

    /// Throws unless G divides N, 1 ≤ selected ≤ G, and the kept groups hold at least K experts.
    func validate(experts n: Int, topK k: Int) throws {
        guard count >= 1, n % count == 0 else {
            throw LayerConfigError(key: "router_groups", message: "\(count) groups do not divide \(n) experts")
        }
        guard (1...count).contains(selected) else {
            throw LayerConfigError(key: "router_topk_groups", message: "must be in 1...\(count), got \(selected)")
        }
        guard rank == .max || n / count >= 2 else {
            throw LayerConfigError(key: "router_group_rank", message: "top2_sum needs groups of at least 2 experts")
        }
        guard selected * (n / count) >= k else {
            throw LayerConfigError(key: "router_topk_groups",
                                   message: "\(selected) groups of \(n / count) experts cannot hold top_k = \(k)")
        }
    }

    /// Which of the n experts the token may select, from its selection scores p (length n).
    func allowed<Scalar: BinaryFloatingPoint>(_ p: UnsafePointer<Scalar>, experts n: Int) -> [Bool] {
        let size = n / count
        let scores = (0..<count).map { g in
            let members = (0..<size).map { p[g * size + $0] }
            switch rank {
            case .max: return members.max()!
            case .topTwoSum:
                let sorted = members.sorted(by: >)
                return sorted[0] + sorted[1]
            }
        }
        // Stable sort by descending score: equal scores keep the lower group first.
        let kept = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            .prefix(selected)
        var allowed = [Bool](repeating: false, count: n)
        for g in kept { for e in (g * size)..<((g + 1) * size) { allowed[e] = true } }
        return allowed
    }
}
