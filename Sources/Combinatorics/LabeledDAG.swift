/// A directed graph on at most 8 labeled nodes, as one 64-bit word of adjacency rows.
///
/// Byte i of `rows` holds the successors of node i: bit 8·i + j is the edge i → j.
/// The enumerators only make acyclic graphs; the properties below assume one.
public struct LabeledDAG: Hashable, Sendable {
    /// The number of nodes, 0…8.
    public let k: Int
    /// The adjacency rows, one byte per node.
    public let rows: UInt64

    public init(k: Int, rows: UInt64) {
        precondition((0...8).contains(k), "LabeledDAG holds at most 8 nodes")
        self.k = k
        self.rows = rows
    }

    /// A graph from its edges (from, to).
    public init(k: Int, edges: [(Int, Int)]) {
        precondition(edges.allSatisfy { (0..<k).contains($0.0) && (0..<k).contains($0.1) }, "edge out of range")
        self.init(k: k, rows: edges.reduce(UInt64(0)) { $0 | UInt64(1) << (8 * $1.0 + $1.1) })
    }

    /// The successors of node i as a bit mask.
    @inline(__always)
    public func successors(_ i: Int) -> UInt64 { (rows >> (8 * i)) & 0xFF }

    /// Whether the edge i → j is present.
    public func hasEdge(_ i: Int, _ j: Int) -> Bool { successors(i) >> j & 1 == 1 }

    /// The edges (from, to), by source then target.
    public var edges: [(from: Int, to: Int)] {
        (0..<k).flatMap { i in (0..<k).filter { hasEdge(i, $0) }.map { (from: i, to: $0) } }
    }

    public var edgeCount: Int { rows.nonzeroBitCount }

    /// Nodes with no incoming edge.
    public var sourceCount: Int {
        var hasPredecessor: UInt64 = 0
        for i in 0..<k { hasPredecessor |= successors(i) }
        return k - hasPredecessor.nonzeroBitCount
    }

    /// Nodes with no outgoing edge.
    public var sinkCount: Int {
        var sinks = 0
        for i in 0..<k where successors(i) == 0 { sinks += 1 }
        return sinks
    }

    /// The number of edges on a longest directed path (0 for no edges; −1 for k = 0).
    ///
    /// Peels the sinks of what remains until nothing does: a DAG whose longest path
    /// has d edges takes d + 1 rounds.
    public var longestPath: Int {
        var remaining: UInt64 = (1 << k) - 1, rounds = 0
        while remaining != 0 {
            var sinks: UInt64 = 0
            var rest = remaining
            while rest != 0 {
                let i = rest.trailingZeroBitCount
                rest &= rest - 1
                if successors(i) & remaining == 0 { sinks |= 1 << i }
            }
            remaining &= ~sinks
            rounds += 1
        }
        return rounds - 1
    }

    /// Whether the graph is connected when edge directions are ignored (false for k = 0).
    public var isWeaklyConnected: Bool {
        guard k > 0 else { return false }
        let all: UInt64 = (1 << k) - 1
        var reached: UInt64 = 1
        while true {
            var next = reached
            for i in 0..<k {
                let out = successors(i)
                if reached >> i & 1 == 1 { next |= out } else if out & reached != 0 { next |= 1 << i }
            }
            if next == reached { return reached == all }
            reached = next
        }
    }

    /// The k×k adjacency matrix as k² characters, row by row: entry (i, j) is "1" for i → j.
    public var bitString: String {
        String((0..<k).flatMap { i in (0..<k).map { hasEdge(i, $0) ? Character("1") : Character("0") } })
    }
}
