import LinearAlgebra
import Testing
@testable import MoE

/// Backward against central finite differences in Float64:
/// (J(θ + εV) − J(θ − εV)) / 2ε against ⟨dJ/dθ, V⟩, ε = 1e-6.
///
/// The truncation error is O(ε²‖J'''‖) ≈ 1e-12 and the rounding error about
/// 1e-16·|J|/ε ≈ 1e-10, so a tolerance of 1e-6 (relative, floor 1) leaves four orders of
/// magnitude; a wrong term in any derivative is of order one. Cases are drawn with the
/// top-K selection at least 1e-3 in p from changing, far beyond what an ε step moves p.
@Suite struct GradientCheckTests {
    static let epsilon = 1e-6
    static let tolerance = 1e-6

    struct Case: CustomTestStringConvertible, Sendable {
        let router: LayerConfig.Router, norm: LayerConfig.Norm, shared: Bool, rounds: Int
        var testDescription: String { "\(router.rawValue) \(norm.rawValue) shared=\(shared) L=\(rounds)" }
    }

    static let allCases: [Case] = LayerConfig.Router.allCases.flatMap { r in
        LayerConfig.Norm.allCases.flatMap { n in
            [false, true].flatMap { s in [0, 1, 3].map { Case(router: r, norm: n, shared: s, rounds: $0) } }
        }
    }

    /// Every parameter tensor and the input, along one random direction each.
    @Test(arguments: allCases)
    func directionalDerivatives(_ c: Case) throws {
        let config = LayerTestSupport.config(router: c.router, norm: c.norm, shared: c.shared, rounds: c.rounds)
        let (layer, x, g) = try LayerTestSupport.wellSeparatedCase(config, tokens: 4, seed: 11)
        for check in LayerTestSupport.directionalChecks(layer, x, g, seed: 5, epsilon: Self.epsilon) {
            #expect(abs(check.numeric - check.analytic) <= Self.tolerance * max(1, abs(check.numeric)),
                    "\(check.name): finite difference \(check.numeric), backward \(check.analytic)")
        }
    }
}
