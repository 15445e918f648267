import Foundation
import Testing
@testable import Checkpoint
import MoE

/// A metadata-only checkpoint (a few hundred bytes) with `changes` applied to the small
/// configuration's metadata.
private func metadataOnly(_ changes: [String: String]) -> Data {
    SafeTensorsWriter(metadata: smallConfig.metadata.merging(changes) { _, new in new }).data()
}

/// Layer sizes in a checkpoint's metadata are bounded by what a header can list, so a tiny
/// file cannot make the reader list millions of expected weight names (before the limits,
/// `dag_layers` = 2^24 took minutes and 7 GB, `n_experts` = 2^24 9 GB, before "missing").
@Suite struct LimitLayerMetadataTests {
    @Test(arguments: [
        ("n_experts", String(LayerConfig.maxExperts + 1), "an integer from 1 to 131072"),
        ("n_experts", "16777216", "an integer from 1 to 131072"),
        ("dag_layers", String(LayerConfig.maxDAGLayers + 1), "an integer from 0 to 4096"),
        ("dag_layers", "16777216", "an integer from 0 to 4096"),
        ("d_model", "16777217", "an integer from 1 to 16777216"),
    ])
    func pastTheLimitIsNamed(key: String, value: String, expected: String) {
        #expect(throws: CheckpointError.malformedMetadata(key: key, value: value, expected: expected)) {
            try openLayer(metadataOnly([key: value]))
        }
    }

    /// At the limits the expected names are listed and the first missing weight is named.
    @Test func atTheLimitsTheMissingWeightIsNamed() {
        let limits = ["n_experts": String(LayerConfig.maxExperts), "dag_layers": String(LayerConfig.maxDAGLayers)]
        #expect(throws: CheckpointError.missingWeight("router.weight")) { try openLayer(metadataOnly(limits)) }
    }
}
