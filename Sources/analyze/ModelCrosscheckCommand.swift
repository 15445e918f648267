import Analysis
import Checkpoint
import Foundation
import Report

extension CrosscheckCommand {
    /// `analyze crosscheck --model DIR (--layer I | --all-layers)`: the linearization verdict,
    /// gate-term singular values, utilization and routing entropy of a model's MoE layers.
    /// Exit status 1 when a layer fails (excess rank above the bound, or a reference mismatch).
    func runModel() throws {
        guard let directory = model.model else { throw UsageError("--model DIR is missing") }
        let output: ModelCrosscheckOutput
        do {
            let layout = try ModelLayout(directory: directory)
            let layers = try model.selectedLayers(moe: layout.config.moeLayers)
            let source: ModelLayerAnalysis.Source
            if let path = model.inputs {
                do { source = .file(try ModelInputsFile(path: path)) } catch { throw UsageError("\(path): \(error)") }
            } else {
                source = .random(count: tokens ?? CheckpointAnalysis.Options.defaultTokens, seed: seed)
            }
            let log = ProgressLog()
            CrosscheckCommand.endOnInterrupt()
            var analyses: [ModelLayerAnalysis] = []
            for (done, layer) in layers.enumerated() {
                log.line("layer \(layer) (\(done + 1) of \(layers.count)): reading headers")
                analyses.append(try ModelLayerAnalysis(
                    model: layout, layer: layer, source: source, jacobianTokens: jacobianTokens, rankRtol: rankRtol,
                    tolerance: tolForward ?? ModelReferenceCheck.defaultTolerance, maxTokens: CrosscheckCommand.maxTokens,
                    rankMethod: model.rankMethod, progress: log.line))
            }
            output = ModelCrosscheckOutput(model: layout, layers: analyses, allLayers: model.manyLayers,
                                           configHash: try CrosscheckCommand.configHash(layout.config.path))
        } catch let error as ModelLayoutError {
            throw UsageError("\(error)")
        }
        print(output.render(format), terminator: "")
        if !output.pass {
            throw ModelCrosscheckFailure(layers: output.layers.filter { !$0.pass }.map(\.layer),
                                         mappingBug: output.layers.contains(where: \.mappingBug))
        }
    }
}

/// The exit-1 outcome of a model crosscheck (one stderr line).
struct ModelCrosscheckFailure: Error, CustomStringConvertible {
    let layers: [Int]
    let mappingBug: Bool
    var description: String {
        "crosscheck FAILED on layer(s) \(layers.map(String.init).joined(separator: ", "))"
            + (mappingBug ? ": excess rank above the weighted-sum bound — the layout mapping is wrong (a bug in analyze)" : "")
    }
}

extension CrosscheckCommand {
    /// FNV-1a 64 of the bytes of config.json, in hex: what `analyze report` compares to refuse
    /// shards of different models.
    static func configHash(_ path: String) throws -> String {
        let bytes: [UInt8]
        do { bytes = try FileByteSource(path: path).readAll(limit: 64 << 20) } catch { throw UsageError("\(error)") }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }

    /// Ctrl-C (SIGINT) ends the run at once with one line on stderr and status 130: nothing has
    /// been written yet (the report prints at the end), so there is nothing to clean up.
    static func endOnInterrupt() {
        signal(SIGINT) { _ in
            let line = "analyze: interrupted\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
            _exit(130)
        }
    }
}
