/// A configuration value the layer cannot run with, named by its checkpoint key.
public struct LayerConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The spec's metadata key, for example `top_k`.
    public let key: String
    public let message: String

    public var description: String { "\(key): \(message)" }
}

extension LayerConfig {
    /// Throws for sizes and constants the layer cannot run with: non-positive widths,
    /// K outside 1…N, d_g < 1 with L > 0, negative L or shared width, and a negative
    /// or non-finite eps or loss weight.
    public func validate() throws {
        func require(_ ok: Bool, _ key: String, _ message: String) throws {
            if !ok { throw LayerConfigError(key: key, message: message) }
        }
        try require(dModel >= 1, "d_model", "must be at least 1, got \(dModel)")
        try require(nExperts >= 1, "n_experts", "must be at least 1, got \(nExperts)")
        try require(topK >= 1 && topK <= nExperts, "top_k", "must be in 1...n_experts (\(nExperts)), got \(topK)")
        try require(dFF >= 1, "d_ff", "must be at least 1, got \(dFF)")
        try require(dagLayers >= 0, "dag_layers", "must be at least 0, got \(dagLayers)")
        try require(dG >= 1 || dagLayers == 0, "d_g", "must be at least 1 when dag_layers > 0, got \(dG)")
        try require(sharedDFF >= 0, "shared_d_ff", "must be at least 0, got \(sharedDFF)")
        try require(normEps.isFinite && normEps >= 0, "norm_eps", "must be finite and non-negative, got \(normEps)")
        try require(lbCoef.isFinite, "lb_coef", "must be finite, got \(lbCoef)")
        try require(zCoef.isFinite, "z_coef", "must be finite, got \(zCoef)")
        try extensions.validate(self)
    }
}
