import Foundation
import Testing
@testable import MoE

/// Float's inlined exp against the double-precision C library.
@Suite struct ElementaryTests {
    @Test func inlineExpIsWithinOneUlp() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            let want = exp(Double(x))
            worst = max(worst, abs(Double(inlineExp(x)) - want) / Double(Float(want).ulp))
            x += 0.013
        }
        #expect(worst <= 1)
    }

    @Test func inlineExpEdges() {
        #expect(inlineExp(0) == 1)
        #expect(inlineExp(.nan).isNaN)
        #expect(inlineExp(-.infinity) >= 0 && inlineExp(-.infinity) < 1e-37)
        #expect(inlineExp(.infinity).isFinite && inlineExp(.infinity) > 1e38)
        #expect(Float.sigmoid(-1000) >= 0 && Float.sigmoid(-1000) < 1e-37)
        #expect(Float.sigmoid(1000) == 1)
    }
}
