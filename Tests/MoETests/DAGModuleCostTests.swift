import Testing
@testable import MoE

/// The DAG module's cost, read from the layer's parameter shapes, against the hand formula
/// per round (RMSNorm d, down d_g·d, edge 2d_g + 1, node 2d_g², up d·d_g) and a real layer.
@Suite struct DAGModuleCostTests {
    @Test func parametersMatchTheHandFormulaAndALayer() throws {
        for (d, g) in [(4096, 64), (2048, 16), (6, 3), (1, 1)] {
            let cost = DAGModuleCost(d: d, experts: 8, expertFF: 14336, sharedFF: 0, k: 2, dG: g)
            #expect(cost.parametersPerRound == d + 2 * d * g + 2 * g * g + 2 * g + 1)
        }
        // Mixtral 8x7B: 8 experts of 3·4096·14336 weights.
        let mixtral = DAGModuleCost(d: 4096, experts: 8, expertFF: 14336, sharedFF: 0, k: 2, dG: 64)
        #expect(mixtral.routedParameters == 8 * 3 * 4096 * 14336)
        let config = LayerConfig(dModel: 6, nExperts: 5, topK: 3, dFF: 4, dG: 3, dagLayers: 2)
        let all = Parameters<Double>(zeros: config).tensors.filter { $0.key.hasPrefix("dag.") }.values
        let cost = DAGModuleCost(d: 6, experts: 5, expertFF: 4, sharedFF: 0, k: 3, dG: 3)
        #expect(all.reduce(0) { $0 + $1.data.count } == cost.rows(depths: [2])[0].parameters)
    }

    @Test func sharesAndWork() {
        let cost = DAGModuleCost(d: 8, experts: 4, expertFF: 16, sharedFF: 16, k: 2, dG: 2)
        #expect(cost.macsPerRound == 2 * 8 + 2 * 2 * 8 * 2 + 2 * 2 * (2 + 4) + 4 * 2)
        #expect(cost.activeMACs == 4 * 8 + 2 * 3 * 8 * 16 + 3 * 8 * 16)
        let row = cost.rows(depths: [3])[0]
        #expect(row.parameters == 3 * cost.parametersPerRound)
        #expect(row.macShare == Double(3 * cost.macsPerRound) / Double(cost.activeMACs))
    }
}
