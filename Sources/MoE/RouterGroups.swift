/// Group-limited expert selection (DeepSeek-V2's `group_limited_greedy`), an extension
/// of the spec's router (``LayerExtensions``).
///
/// The N experts form `count` groups of N/`count` consecutive experts. For each token the
/// group score is the largest p = softmax(z) among the group's experts; the `selected`
/// groups with the highest scores are kept (ties: lower group first), and the selection
/// S is the top K of p among the kept experts, in descending p (ties: lower index).
public struct RouterGroups: Sendable, Equatable, Codable {
    /// G, the number of groups.
    public var count: Int
    /// How many groups each token keeps.
    public var selected: Int

    public init(count: Int, selected: Int) {
        self.count = count
        self.selected = selected
    }

    /// Throws unless G divides N, 1 ≤ selected ≤ G, and the kept groups hold at least K experts.
    func validate(experts n: Int, topK k: Int) throws {
        guard count >= 1, n % count == 0 else {
            throw LayerConfigError(key: "router_groups", message: "\(count) groups do not divide \(n) experts")
        }
        guard (1...count).contains(selected) else {
            throw LayerConfigError(key: "router_topk_groups", message: "must be in 1...\(count), got \(selected)")
        }
        guard selected * (n / count) >= k else {
            throw LayerConfigError(key: "router_topk_groups",
                                   message: "\(selected) groups of \(n / count) experts cannot hold top_k = \(k)")
        }
    }

    /// Which of the n experts the token may select, from its probabilities p (length n).
    func allowed<Scalar: BinaryFloatingPoint>(_ p: UnsafePointer<Scalar>, experts n: Int) -> [Bool] {
        let size = n / count
        let scores = (0..<count).map { g in (0..<size).map { p[g * size + $0] }.max()! }
        // Stable sort by descending score: equal scores keep the lower group first.
        let kept = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            .prefix(selected)
        var allowed = [Bool](repeating: false, count: n)
        for g in kept { for e in (g * size)..<((g + 1) * size) { allowed[e] = true } }
        return allowed
    }
}
