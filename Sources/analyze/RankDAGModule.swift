import ArgumentParser
import Checkpoint
import LinearAlgebra
import MoE

/// Where `analyze rank` gets a DAG module's up maps: a spec checkpoint or a seeded generator.
struct RankDAGModuleOptions: ParsableArguments {
    @Option(name: .customLong("dag-module"),
            help: ArgumentHelp("A spec checkpoint whose dag.{l}.up.weight maps give the dag family.", valueName: "file"))
    var dagModule: String?

    @Option(name: .customLong("dag-rounds"), help: "Rounds L of a random DAG module for the dag family.")
    var dagRounds: Int?

    @Option(name: .customLong("dg"), help: "Width d_g of that random module (default 1).")
    var dg: Int?

    func validate() throws {
        if dagModule != nil && (dagRounds != nil || dg != nil) {
            throw ValidationError("give either --dag-module FILE or --dag-rounds L [--dg G], not both")
        }
        if dg != nil && dagRounds == nil { throw ValidationError("--dg goes with --dag-rounds") }
        if let dagRounds, !(1...64).contains(dagRounds) { throw ValidationError("--dag-rounds must be between 1 and 64 (got \(dagRounds))") }
        if let dg, !(1...4096).contains(dg) { throw ValidationError("--dg must be between 1 and 4096 (got \(dg))") }
    }

    /// The module's up maps for experts of size d×d, or nil without either option.
    func module(dimension d: Int) throws -> (range: DAGModuleRange, source: String)? {
        if let rounds = dagRounds {
            let width = dg ?? 1
            return (try DAGModuleRange.random(rounds: rounds, width: width, dimension: d, seed: 1),
                    "random up maps N(0, 1/d), L = \(rounds), d_g = \(width), seed 1")
        }
        guard let path = dagModule else { return nil }
        let parameters: Parameters<Double>
        do { parameters = try LayerCheckpoint(path: path).parameters(Double.self) } catch {
            throw UsageError("\(path): \(error)")
        }
        let config = parameters.config
        guard config.dagLayers >= 1 else { throw UsageError("\(path) has no DAG rounds (dag_layers = 0)") }
        guard config.dModel == d else {
            throw UsageError("\(path) has d = \(config.dModel); the experts are \(d)×\(d)")
        }
        var up = Matrix<Double>(rows: d, cols: config.dagLayers * config.dG)
        for l in 0..<config.dagLayers {
            let u = parameters["dag.\(l).up.weight"].data
            for a in 0..<d { for c in 0..<config.dG { up[a, l * config.dG + c] = u[a * config.dG + c] } }
        }
        return (try DAGModuleRange(rounds: config.dagLayers, width: config.dG, up: up),
                "up maps of \(path), L = \(config.dagLayers), d_g = \(config.dG)")
    }
}
