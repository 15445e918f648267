import Analysis
import MoE
import Testing

@Suite struct AnalysisBudgetTests {
    let config = LayerConfig(dModel: 8, nExperts: 4, topK: 2, dFF: 6, dG: 3, dagLayers: 2, sharedDFF: 5)

    /// The activation count is the documented per-token sum, times the tokens.
    @Test func activationsByHand() {
        // K(3·d_ff + 2d) + L·K(K + 2·d_g + d) + (3·shared_d_ff + 4d)
        let perToken = 2 * (3 * 6 + 2 * 8) + 2 * 2 * (2 + 2 * 3 + 8) + (3 * 5 + 4 * 8)
        #expect(AnalysisBudget(config: config).activations(tokens: 1) == perToken)
        #expect(AnalysisBudget(config: config).activations(tokens: 1000) == 1000 * perToken)
        #expect(AnalysisBudget(config: config).activations(tokens: Int.max) == nil)
    }

    /// Past the bound the error names the sizes and how many tokens would fit.
    @Test func forwardOverBudgetSaysWhatFits() throws {
        let budget = AnalysisBudget(config: config)
        let perToken = try #require(budget.activations(tokens: 1))
        let fits = AnalysisBudget.maxActivations / perToken
        #expect(throws: Never.self) { try budget.checkForward(tokens: fits, source: "x") }
        do {
            try budget.checkForward(tokens: fits + 1, source: "ref.x")
            Issue.record("no error past the bound")
        } catch {
            #expect(error.description.hasPrefix("ref.x: \(fits + 1) tokens"))
            #expect(error.description.contains("(\(fits) tokens would fit)"))
        }
    }

    /// The Jacobian bound: (K + 2)·d² values per token, and tokens·d³ of SVD work.
    @Test func jacobianBounds() {
        let wide = LayerConfig(dModel: 2048, nExperts: 4, topK: 2, dFF: 6, dG: 3, dagLayers: 1)
        #expect(throws: Never.self) { try AnalysisBudget(config: wide).checkJacobian(tokens: 16) }
        #expect(throws: AnalysisError.self) { try AnalysisBudget(config: wide).checkJacobian(tokens: 17) }
        let huge = LayerConfig(dModel: 1 << 14, nExperts: 4, topK: 2, dFF: 6, dG: 3, dagLayers: 1)
        #expect(throws: AnalysisError.self) { try AnalysisBudget(config: huge).checkJacobian(tokens: 1) }
    }
}
