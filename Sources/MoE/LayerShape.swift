/// The sizes one forward/backward pass works with: the configuration's widths and
/// the batch's token count T. Every kernel's buffers are described in these letters.
struct LayerShape: Sendable {
    /// T: tokens in the batch.
    let tokens: Int
    /// d: token width.
    let d: Int
    /// N: routed experts.
    let n: Int
    /// K: experts per token; a batch has T·K nodes, node r = t·K + i.
    let k: Int
    /// d_ff: hidden width of a routed expert.
    let ff: Int
    /// d_g: width of the DAG module's space.
    let g: Int
    /// L: DAG rounds.
    let rounds: Int
    /// Hidden width of the shared expert, 0 = none.
    let sharedFF: Int

    init(_ config: LayerConfig, tokens: Int) {
        self.tokens = tokens
        d = config.dModel
        n = config.nExperts
        k = config.topK
        ff = config.dFF
        g = config.dG
        rounds = config.dagLayers
        sharedFF = config.sharedDFF
    }

    /// T·K, the number of (token, slot) nodes.
    var nodes: Int { tokens * k }
}
