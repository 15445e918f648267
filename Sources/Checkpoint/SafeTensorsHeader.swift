/// The validated header of a safetensors file, shared by the whole-file reader
/// (``SafeTensorsFile``) and the lazy one (``LazySafeTensorsFile``): the 8-byte
/// little-endian length, the JSON header, every tensor entry and `__metadata__`.
struct SafeTensorsHeader {
    /// Tensor names in header (file) order.
    let names: [String]
    let infos: [String: TensorInfo]
    /// The `__metadata__` strings (empty when absent).
    let metadata: [String: String]

    /// Reads the header of a file of `size` bytes through `read`, which returns the
    /// bytes of a range inside the file.
    init(size: Int, read: (Range<Int>) throws(CheckpointError) -> [UInt8]) throws(CheckpointError) {
        guard size >= 8 else { throw .tooShort(size: size) }
        let prefix = try read(0..<8)
        var length: UInt64 = 0
        for i in (0..<8).reversed() { length = length << 8 | UInt64(prefix[i]) }
        guard length <= UInt64(size - 8) else { throw .headerPastEnd(headerLength: length, fileSize: size) }
        guard length <= UInt64(SafeTensorsFile.maxHeaderLength) else {
            throw .headerTooLarge(headerLength: length, limit: SafeTensorsFile.maxHeaderLength)
        }
        let dataStart = 8 + Int(length)
        let header = try HeaderJSONParser.parse(try read(8..<dataStart), base: 8)
        guard case .object(let entries) = header else { throw .headerNotObject }

        var names: [String] = []
        var infos: [String: TensorInfo] = [:]
        var metadata: [String: String]?
        for (key, value) in entries {
            if key == "__metadata__" {
                guard metadata == nil else { throw .invalidMetadata(key: key, reason: "appears twice in the header") }
                metadata = try SafeTensorsFile.metadata(value)
                continue
            }
            guard infos[key] == nil else { throw .duplicateTensor(key) }
            infos[key] = try SafeTensorsFile.entry(key, value, dataStart: dataStart, dataSize: size - dataStart)
            names.append(key)
        }
        try SafeTensorsFile.checkOverlaps(Array(infos.values))
        self.names = names
        self.infos = infos
        self.metadata = metadata ?? [:]
    }
}
