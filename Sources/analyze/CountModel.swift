import ArgumentParser
import Checkpoint
import Foundation
import MoE
import Report

/// `analyze count --config DIR/config.json`: n and k from a Hugging Face MoE model, and what
/// a DAG module on each of its MoE layers would cost.
struct CountModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A Hugging Face MoE model's config.json, or its directory: n and k from the model (--n and --k are then optional).",
                               valueName: "PATH"))
    var config: String?

    @Option(name: .customLong("d-g"), help: "Width d_g of the DAG module costed for --config (default min(64, d)).")
    var dG: Int?

    /// The model's configuration, or nil without --config.
    func model() throws -> ModelMoEConfig? {
        guard let config else {
            if dG != nil { throw ValidationError("--d-g goes with --config") }
            return nil
        }
        do {
            var isDirectory: ObjCBool = false
            let directory = FileManager.default.fileExists(atPath: config, isDirectory: &isDirectory) && isDirectory.boolValue
            let model = try ModelMoEConfig(path: directory ? URL(fileURLWithPath: config).appendingPathComponent("config.json").path : config)
            if let dG, !(1...model.hiddenSize).contains(dG) {
                throw ValidationError("--d-g must be between 1 and d = \(model.hiddenSize) (got \(dG))")
            }
            return model
        } catch let error as ModelLayoutError {
            throw ValidationError("\(error)")
        }
    }
}

extension DAGModuleCost {
    /// The cost of a module on one MoE layer of `model`.
    init(model: ModelMoEConfig, k: Int, dG: Int) {
        self.init(d: model.hiddenSize, experts: model.experts, expertFF: model.expertFF,
                  sharedFF: model.sharedFF, k: k, dG: dG)
    }
}

extension CountCommand {
    /// n from --n, else from --config.
    func resolvedN() throws -> Int {
        if let n { return n }
        guard let model = try modelOptions.model() else { throw ValidationError("give --n N or --config FILE") }
        return model.experts
    }

    /// The model section: the model's sizes and what a DAG module would add, per k.
    static func modelText(_ model: ModelMoEConfig, ks: [Int], dG: Int, maxDepth: Int) -> String {
        var out = "\nmodel \(model.path): \(model.family.rawValue), n = \(model.experts) routed experts, k = \(model.topK) per token, "
        out += "d = \(model.hiddenSize), expert d_ff = \(model.expertFF)"
        out += model.sharedFF > 0 ? ", shared d_ff = \(model.sharedFF)" : ""
        out += ", \(model.moeLayers.count) MoE layers\n"
        out += "a DAG module of width d_g = \(dG) on each MoE layer would add (per layer; × \(model.moeLayers.count) for the model):\n\n"
        var t = Table(header: ["k", "L", "parameters", "vs routed experts", "MACs/token", "vs active MACs"],
                      alignments: [.right, .right, .right, .right, .right, .right])
        for k in ks {
            let cost = DAGModuleCost(model: model, k: k, dG: dG)
            for row in cost.rows(depths: ks.count == 1 ? Array(1...maxDepth) : [1]) {
                t.append([String(k), String(row.depth), Numbers.grouped(row.parameters),
                          String(format: "%.3f%%", 100 * row.parameterShare), Numbers.grouped(row.macs),
                          String(format: "%.3f%%", 100 * row.macShare)])
            }
        }
        return out + t.text()
    }

    /// The same as JSON, for one k.
    static func modelJSON(_ model: ModelMoEConfig, k: Int, dG: Int, maxDepth: Int) -> JSON {
        let cost = DAGModuleCost(model: model, k: k, dG: dG)
        return .object([
            ("config", .string(model.path)), ("model_type", .string(model.family.rawValue)),
            ("d", .int(model.hiddenSize)), ("expert_d_ff", .int(model.expertFF)), ("shared_d_ff", .int(model.sharedFF)),
            ("moe_layers", .int(model.moeLayers.count)), ("d_g", .int(dG)),
            ("routed_parameters_per_layer", .int(cost.routedParameters)), ("active_macs_per_token", .int(cost.activeMACs)),
            ("dag_module", .array(cost.rows(depths: Array(1...maxDepth)).map { row in
                .object([("L", .int(row.depth)), ("parameters_per_layer", .int(row.parameters)),
                         ("parameter_share", .double(row.parameterShare)), ("macs_per_token", .int(row.macs)),
                         ("mac_share", .double(row.macShare))])
            })),
        ])
    }

    /// The count output with the model section: after the text, in each JSON row.
    func renderWithModel(_ output: CountOutput, ks: [Int]) throws -> String {
        guard let model = try modelOptions.model() else { return output.render(format) }
        let dG = modelOptions.dG ?? min(64, model.hiddenSize)
        switch format {
        case .text:
            return output.render(.text) + CountCommand.modelText(model, ks: ks, dG: dG, maxDepth: maxDepth)
        case .json:
            func add(_ row: JSON, k: Int) -> JSON {
                guard case .object(let pairs) = row else { return row }
                return .object(pairs + [("model", CountCommand.modelJSON(model, k: k, dG: dG, maxDepth: maxDepth))])
            }
            switch output.json() {
            case .array(let rows): return JSON.array(zip(rows, ks).map { add($0, k: $1) }).rendered() + "\n"
            case let row: return add(row, k: ks[0]).rendered() + "\n"
            }
        case .csv, .markdown:
            return output.render(format)
        }
    }
}
