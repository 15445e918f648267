import Checkpoint
import LinearAlgebra
import MoE

/// Everything `analyze crosscheck` reports about one checkpoint.
struct CrosscheckReport {
    let file: String
    let checkpoint: LayerCheckpoint
    let precision: ComputePrecision
    let tolerances: CrosscheckTolerances
    /// Nil when the file has no ref.x.
    let comparison: LayerCrosscheck?
    let referenceTokens: Int?
    /// Where the analysis inputs came from, in words.
    let inputs: String
    let jacobian: ExcessRankAnalysis?
    let structure: StructureStatistics

    /// PASS (true), FAIL (false) or nothing to compare (nil).
    var pass: Bool? { comparison.map(\.passed) }

    var notes: [String] { checkpoint.notes + (comparison?.notes ?? []) }

    static func make(path: String, precision: ComputePrecision, tolForward: Double?, tolBackward: Double?,
                     tokens: Int?, seed: UInt64, jacobianTokens: Int, rankRtol: Double) throws -> CrosscheckReport {
        let checkpoint = try LayerCheckpoint(path: path)
        let reference = try checkpoint.reference(Double.self)
        let budget = CrosscheckBudget(config: checkpoint.config)
        if let reference { try budget.checkForward(tokens: reference.tokens, source: "\(path): ref.x") }
        let analysed = tokens ?? reference?.tokens ?? CrosscheckCommand.defaultTokens
        try budget.checkForward(tokens: analysed, source: tokens == nil ? path : "--tokens")
        if min(jacobianTokens, analysed) > 0 { try budget.checkJacobian(tokens: min(jacobianTokens, analysed)) }
        let defaults = CrosscheckTolerances.defaults(precision)
        let tolerances = CrosscheckTolerances(forward: tolForward ?? defaults.forward,
                                              backward: tolBackward ?? defaults.backward)
        let comparison = try reference.map {
            try LayerCrosscheck(checkpoint, reference: $0, precision: precision, tolerances: tolerances)
        }

        let d = checkpoint.config.dModel
        let inputs: Matrix<Double>, source: String
        if let reference, tokens == nil {
            inputs = Matrix(rows: reference.tokens, cols: d, data: reference.x.data)
            source = "ref.x"
        } else {
            let count = tokens ?? CrosscheckCommand.defaultTokens
            var rng = SeededRandom(seed: seed)
            inputs = Matrix(rows: count, cols: d, data: (0..<(count * d)).map { _ in rng.nextNormal() })
            source = "\(count) random N(0, 1) tokens, seed \(seed)"
        }
        let layer = try DAGMoELayer(parameters: checkpoint.parameters(Double.self))
        let rows = min(jacobianTokens, inputs.rows)
        let jacobian = rows == 0 ? nil : try ExcessRankAnalysis(
            layer: layer, inputs: (0..<rows).map { Array(inputs.data[($0 * d)..<(($0 + 1) * d)]) },
            relativeTolerance: rankRtol)
        return CrosscheckReport(file: path, checkpoint: checkpoint, precision: precision, tolerances: tolerances,
                                comparison: comparison, referenceTokens: reference?.tokens, inputs: source,
                                jacobian: jacobian, structure: StructureStatistics(layer: layer, inputs: inputs))
    }
}
