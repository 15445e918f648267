extension ModelMoEConfig {
    /// `quantization_config.weight_block_size` for `quant_method` = `fp8` with `fmt` = `e4m3`;
    /// nil without a quantization_config; any other method or format is refused by name.
    static func fp8Block(_ json: ModelJSONObject) throws(ModelLayoutError) -> [Int]? {
        guard let q = try json.optionalObject("quantization_config") else { return nil }
        let method = try q.optionalString("quant_method") ?? "none"
        // gpt-oss's MXFP4 experts are recognised by their *_blocks/*_scales tensors.
        if method == "mxfp4", case .string("gpt_oss")? = json["model_type"] { return nil }
        guard method == "fp8" else {
            throw .unsupportedSetting(path: json.path, key: "quantization_config.quant_method", value: method,
                                      reason: "only block-wise FP8 (fp8, e4m3, weight_block_size) and gpt-oss's mxfp4 are read")
        }
        let format = try q.optionalString("fmt") ?? "e4m3"
        guard format == "e4m3" else {
            throw .unsupportedSetting(path: json.path, key: "quantization_config.fmt", value: format, reason: "only e4m3 FP8 is read")
        }
        guard let block = try q.optionalInts("weight_block_size"), block.count == 2, block.allSatisfy({ $0 >= 1 }) else {
            throw .missingConfigKey(path: json.path, key: "quantization_config.weight_block_size (two positive integers)",
                                    modelType: "fp8", found: q.keys)
        }
        return block
    }
}
