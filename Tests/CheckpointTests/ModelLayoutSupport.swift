import Foundation
import Testing
@testable import Checkpoint
import TestSupport

/// The committed model fixtures (tools/make_model_fixtures.py) and scratch copies of them.
enum ModelFixtures {
    static let names = ["mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_moe", "deepseek_v2"]

    /// The directory of fixture `name`.
    static func directory(_ name: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/models/\(name)").path
    }

    /// The fixture's reference outputs (reference.safetensors).
    static func reference(_ name: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(path: directory(name) + "/reference.safetensors")
    }

    /// A fresh copy of fixture `name` in a temporary directory, after `edit` ran on it.
    static func copy(_ name: String, edit: (URL) throws -> Void = { _ in }) throws -> String {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: directory(name)), to: target)
        try edit(target)
        return target.path
    }

    /// Rewrites `config.json` in `dir` with `change` applied to its text.
    static func editConfig(_ dir: URL, _ change: (String) -> String) throws {
        let url = dir.appendingPathComponent("config.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        try change(text).write(to: url, atomically: true, encoding: .utf8)
    }
}

