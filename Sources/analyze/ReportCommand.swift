import ArgumentParser
import Checkpoint
import Foundation
import Report

/// `analyze report FILE...`: merges the `--format json` outputs of `crosscheck --model` shards
/// (`--shard i/N`, `--layers A-B`) into the report one `--all-layers` run gives.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Merge the JSON of crosscheck --model shards into the --all-layers report.",
        discussion: """
        Each FILE is the --format json output of `analyze crosscheck --model DIR` with --all-layers, \
        --layers or --shard. The shards must come from the same model (the same config.json, by hash) \
        and together hold every MoE layer exactly once; the merged table and JSON are exactly those of \
        --all-layers. Exit status 1 when a layer failed, as crosscheck.
        """
    )

    @Argument(help: ArgumentHelp("The shards' JSON outputs.", valueName: "FILE"))
    var files: [String] = []

    @Option(help: "text, json, csv or markdown.")
    var format: OutputFormat = .text

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give the JSON files of the shards") }
    }

    func run() throws {
        let report = try ReportCommand.merge(try files.map { ($0, try ReportCommand.read($0)) })
        print(report.render(format), terminator: "")
        let failed = report.layers.filter { $0["pass"]?.boolValue != true }.compactMap { $0["layer"]?.intValue }
        if !failed.isEmpty {
            throw ModelCrosscheckFailure(layers: failed, mappingBug: report.layers.contains { $0["mapping_bug"]?.boolValue == true })
        }
    }

    /// One shard's JSON object, checked to be a many-layer crosscheck report.
    static func read(_ path: String) throws -> JSON {
        let bytes: [UInt8]
        do { bytes = try FileByteSource(path: path).readAll(limit: 256 << 20) } catch { throw UsageError("\(error)") }
        let text = String(decoding: bytes, as: UTF8.self)
        let json: JSON
        do { json = try JSON(parsing: text) } catch { throw UsageError("\(path): \(error)") }
        for key in ["model_type", "config_hash", "header", "moe_layers", "layers", "pass", "notes"] where json[key] == nil {
            throw UsageError("\(path): no '\(key)': not the --format json output of crosscheck --model with --all-layers, --layers or --shard")
        }
        return json
    }

    /// The shards merged: the same model, no layer twice, every MoE layer present.
    static func merge(_ shards: [(path: String, json: JSON)]) throws -> ModelLayersReport {
        let (firstPath, first) = shards[0]
        var owner: [Int: String] = [:]
        var layers: [JSON] = []
        for (path, json) in shards {
            for key in ["model_type", "config_hash", "moe_layers"] where json[key] != first[key] {
                throw UsageError("\(path) and \(firstPath) are of different models: their \(key) differ")
            }
            for layer in json["layers"]?.arrayValue ?? [] {
                guard let i = layer["layer"]?.intValue else { throw UsageError("\(path): a layer without its number") }
                if let other = owner[i] { throw UsageError("layer \(i) is in both \(other) and \(path)") }
                owner[i] = path
                layers.append(layer)
            }
        }
        let moe = first["moe_layers"]?.arrayValue?.compactMap(\.intValue) ?? []
        let missing = moe.filter { owner[$0] == nil }
        guard missing.isEmpty else {
            throw UsageError("missing MoE layer(s) \(ModelCrosscheckOutput.ranges(missing)): no shard holds them")
        }
        if let extra = owner.keys.sorted().first(where: { !moe.contains($0) }) {
            throw UsageError("layer \(extra) in \(owner[extra]!) is not an MoE layer of the model")
        }
        layers.sort { ($0["layer"]?.intValue ?? 0) < ($1["layer"]?.intValue ?? 0) }
        let pass = layers.allSatisfy { $0["pass"]?.boolValue == true }
        let keys = ["model", "model_type", "config_hash", "header", "moe_layers"]
        return ModelLayersReport(object: .object(keys.map { ($0, first[$0] ?? .null) } + [
            ("layers", .array(layers)), ("pass", .bool(pass)), ("notes", first["notes"] ?? .array([])),
        ]))
    }
}
