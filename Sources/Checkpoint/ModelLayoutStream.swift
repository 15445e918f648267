import MoE

extension ModelLayout {
    /// The spec weight `spec` of a layer (the router, the shared gate: small tensors) as Float64,
    /// reading only its bytes.
    public func weight(_ plan: ModelLayerLayout, _ spec: String) throws(ModelLayoutError) -> [Double] {
        try values(try source(plan, spec), Double.self)
    }

    /// Routed expert `e` (nil: the shared expert) of a layer, read on its own with pread: its
    /// weights stay Float32 (exact from F32, F16, BF16, MXFP4 and F8, whose block scales are applied
    /// in Float64 as the products run; Float64 only for F64 files),
    /// the routed scaling factor rides along in Float64. Memory: the expert's weights, plus
    /// one tensor's stored bytes while it is decoded (MXFP4 straight into Float32), or its
    /// untransposed Float32 copy while a fused tensor is transposed: at most 4 bytes a weight of
    /// one tensor, as ``ModelLayerAnalysis`` budgets. A routed expert carries the layer's expert
    /// biases (in Float64) and clamped SwiGLU when the layer has them.
    public func expert(_ plan: ModelLayerLayout, _ e: Int?) throws(ModelLayoutError) -> any ExpertProducts {
        var sources: [WeightSource] = []
        for w in ["w1", "w2", "w3"] {
            sources.append(try source(plan, e.map { "experts.\($0).\(w).weight" } ?? "shared.\(w).weight"))
        }
        let ff = e == nil ? config.sharedFF : config.expertFF, d = config.hiddenSize
        let unscaled = sources.map {
            WeightSource(spec: $0.spec, tensor: $0.tensor, elements: $0.elements, scale: 1, mxfp4: $0.mxfp4, transpose: $0.transpose)
        }
        let extensions = config.layerConfig().extensions
        var biases: (b1: [Double], b2: [Double], b3: [Double])?
        var clamp: ClampedSwiGLU?
        if let e {
            if extensions.expertBias {
                biases = (try weight(plan, "experts.\(e).w1.bias"), try weight(plan, "experts.\(e).w2.bias"),
                          try weight(plan, "experts.\(e).w3.bias"))
            }
            clamp = extensions.clampedSwiGLU
        }
        if let w1 = try quantizedFP8(unscaled[0]), let w2 = try quantizedFP8(unscaled[1]),
           let w3 = try quantizedFP8(unscaled[2]) {
            return StoredExpert(w1: w1.q, w2: w2.q, w3: w3.q, dModel: d, dFF: ff, scale: sources[1].scale,
                                biases: biases, clamp: clamp, blockScales: (w1.scales, w2.scales, w3.scales))
        }
        var wide = false
        for s in sources where try tensors.info(s.tensor).dtype == .f64 { wide = true }
        if wide {
            return StoredExpert(w1: try values(unscaled[0], Double.self), w2: try values(unscaled[1], Double.self),
                                w3: try values(unscaled[2], Double.self), dModel: d, dFF: ff, scale: sources[1].scale,
                                biases: biases, clamp: clamp)
        }
        return StoredExpert(w1: try values(unscaled[0], Float.self), w2: try values(unscaled[1], Float.self),
                            w3: try values(unscaled[2], Float.self), dModel: d, dFF: ff, scale: sources[1].scale,
                            biases: biases, clamp: clamp)
    }

    /// The bytes the file stores for the spec weights whose names start with `prefix`
    /// (`experts.3.`, `shared.`, `router.`), from the headers.
    public func storedBytes(_ plan: ModelLayerLayout, prefix: String) throws(ModelLayoutError) -> Int {
        var total = 0
        for s in plan.sources where s.spec.hasPrefix(prefix) {
            let info = try tensors.info(s.tensor)
            total += (s.elements?.count ?? info.count) * info.dtype.size
        }
        return total
    }

    private func source(_ plan: ModelLayerLayout, _ spec: String) throws(ModelLayoutError) -> WeightSource {
        guard let s = plan.sources.first(where: { $0.spec == spec }) else {
            throw .missingTensor(name: spec, layer: plan.layer, found: [])
        }
        return s
    }
}
