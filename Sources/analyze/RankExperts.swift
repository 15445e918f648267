import Checkpoint
import Foundation
import LinearAlgebra

/// Where `analyze rank` gets its linear experts: a seeded generator or a safetensors file.
enum RankExperts {
    /// Parses "N,D" or "N,D,SEED" (seed 0 when left out).
    static func parseRandom(_ text: String) throws -> (count: Int, dimension: Int, seed: UInt64) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard (2...3).contains(parts.count), let n = Int(parts[0]), let d = Int(parts[1]) else {
            throw UsageError("--random '\(text)' is not of the form N,D or N,D,SEED")
        }
        var seed: UInt64 = 0
        if parts.count == 3 {
            guard let s = UInt64(parts[2]) else {
                throw UsageError("--random '\(text)': the seed '\(parts[2])' is not an integer in 0…\(UInt64.max)")
            }
            seed = s
        }
        return (n, d, seed)
    }

    /// The linear experts of a safetensors file (``LinearExpertsFile``), within the rank
    /// analysis's limit of ``ProductStack/maxEntries`` values.
    static func load(path: String) throws -> LinearExperts {
        try LinearExpertsFile.load(path: path, maxValues: ProductStack.maxEntries)
    }
}
