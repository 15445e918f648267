import ArgumentParser
import Checkpoint
import Foundation
import MoE

/// `analyze convert`: one MoE layer of a Hugging Face model, written in the spec's layout.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write one MoE layer of a Hugging Face model as a checkpoint in the spec's layout.",
        discussion: """
        The layer maps onto the spec's layer with L = 0 (docs/model-layouts.md): the router, the experts as \
        w1 (gate), w3 (up), w2 (down, times DeepSeek's routed_scaling_factor), the shared expert. Parts the spec \
        lacks are written as documented extensions (metadata shared_gate, router_groups, router_topk_groups; \
        tensor shared_gate.weight), which this toolkit reads and a spec-only reader ignores with a note. \
        --dag-layers L adds a fresh DAG module (up = 0, so the layer still computes the model's block) to \
        train on top of the real experts. The source model, layer and model_type go into the metadata.
        """
    )

    @Option(help: ArgumentHelp("The Hugging Face MoE model directory.", valueName: "DIR"))
    var model: String

    @Option(help: "The decoder layer to convert.")
    var layer: Int

    @Option(name: .shortAndLong, help: ArgumentHelp("The checkpoint to write.", valueName: "FILE"))
    var output: String

    @Option(help: "Weight dtype: f32, bf16 or f64.")
    var dtype = "f32"

    @Option(name: .customLong("dag-layers"), help: "Rounds L of a fresh DAG module to add (0: the model's layer only).")
    var dagLayers = 0

    @Option(name: .customLong("d-g"), help: "Width d_g of that DAG module.")
    var dG = 16

    @Option(help: "Seed of the DAG module's initial weights.")
    var seed: UInt64 = 0

    static let dtypes: [String: SafeTensorsWriter.FloatDType] = ["f32": .f32, "bf16": .bf16, "f64": .f64]

    func validate() throws {
        guard layer >= 0 else { throw ValidationError("--layer must be at least 0 (got \(layer))") }
        guard ConvertCommand.dtypes[dtype] != nil else { throw ValidationError("--dtype must be f32, bf16 or f64 (got \(dtype))") }
        guard (0...64).contains(dagLayers) else { throw ValidationError("--dag-layers must be between 0 and 64 (got \(dagLayers))") }
        guard dG >= 1 && dG <= LayerConfig.metadataLimit else { throw ValidationError("--d-g must be at least 1 (got \(dG))") }
    }

    func run() throws {
        let source: ModelLayout
        do { source = try ModelLayout(directory: model) } catch { throw UsageError("\(error)") }
        let inputs = [model + "/config.json", source.indexPath] + source.shards.map { model + "/" + $0 }
        let outputs = try planOutputs(["output": output], inputs: inputs)
        let (layout, parameters) = try load(source)
        let extra = ["source_model": model, "source_layer": String(layer), "source_model_type": source.config.family.rawValue]
        let data: Data
        do {
            data = try LayerCheckpoint.writer(parameters, dtype: ConvertCommand.dtypes[dtype] ?? .f32, extraMetadata: extra).data()
        } catch {
            throw UsageError("\(error)")
        }
        try outputs.write(data, option: "output")
        let c = parameters.config
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        print("wrote \(output): \(source.config.family.rawValue) layer \(layer) (\(layout.prefix)) in the spec's layout, "
              + "\(c.parameterShapes.count) tensors, \(dtype.uppercased()), \(size) bytes")
        print("config: d=\(c.dModel) N=\(c.nExperts) K=\(c.topK) d_ff=\(c.dFF) router=\(c.router.rawValue) "
              + "shared_d_ff=\(c.sharedDFF) L=\(c.dagLayers)\(c.dagLayers > 0 ? " d_g=\(c.dG)" : "")")
        if !c.extensions.isEmpty {
            let keys = c.extensions.metadata.keys.sorted().joined(separator: ", ")
            print("extensions: \(keys) (docs/model-layouts.md); a reader of the plain spec would ignore them and compute a different layer")
        }
        if source.config.routedScale != 1 {
            print("routed_scaling_factor \(source.config.routedScale) is folded into every experts.*.w2.weight")
        }
    }

    /// The layer's layout and its weights in the spec's names.
    private func load(_ source: ModelLayout) throws -> (ModelLayerLayout, Parameters<Double>) {
        do {
            return (try source.layout(layer: layer),
                    try source.parameters(layer: layer, dagLayers: dagLayers, dG: dG, seed: seed))
        } catch {
            throw UsageError("\(error)")
        }
    }
}

extension ConvertCommand: WritesFiles {
    static let outputOptions: [(name: String, fileExtension: String?)] = [("output", "safetensors")]
}
