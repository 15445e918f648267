import Foundation

/// Opens a byte source by path; tests pass one that counts or refuses reads.
public typealias ByteSourceOpener = @Sendable (String) throws(CheckpointError) -> any ByteSource

/// The tensors of a model directory and where each one lives: `model.safetensors`, or
/// the shard that `model.safetensors.index.json` names. A shard is opened (its header
/// read and validated) on first use and kept; tensor values are read range by range.
final class ModelTensorDirectory: @unchecked Sendable {
    static let indexName = "model.safetensors.index.json"
    static let singleName = "model.safetensors"

    let directory: String
    /// Tensor name → shard file name, relative to `directory`.
    let shardOf: [String: String]
    /// The index file, nil for a single `model.safetensors`.
    let indexPath: String?
    private let open: ByteSourceOpener
    private var opened: [String: SafeTensorsFile] = [:]
    private let lock = NSLock()

    init(directory: String, open: @escaping ByteSourceOpener) throws(ModelLayoutError) {
        self.directory = directory
        self.open = open
        let index = ModelTensorDirectory.path(directory, ModelTensorDirectory.indexName)
        let single = ModelTensorDirectory.path(directory, ModelTensorDirectory.singleName)
        if let source = try ModelTensorDirectory.openIfPresent(index, open) {
            indexPath = index
            shardOf = try ModelTensorDirectory.weightMap(index, source)
        } else if let source = try ModelTensorDirectory.openIfPresent(single, open) {
            indexPath = nil
            let file: SafeTensorsFile
            do { file = try SafeTensorsFile(source: source) } catch { throw .shard(path: single, error) }
            opened[ModelTensorDirectory.singleName] = file
            shardOf = Dictionary(uniqueKeysWithValues: file.names.map { ($0, ModelTensorDirectory.singleName) })
        } else {
            let found = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            guard FileManager.default.fileExists(atPath: directory) else {
                throw .unreadable(path: directory, reason: "no such directory")
            }
            throw .noWeights(directory: directory, found: Array(found.sorted().prefix(20)))
        }
    }

    /// `path` opened, or nil when there is no such file (any other failure throws).
    private static func openIfPresent(_ path: String, _ open: ByteSourceOpener) throws(ModelLayoutError) -> (any ByteSource)? {
        do { return try open(path) } catch {
            if case .notFound = error { return nil }
            throw .file(error)
        }
    }

    static func path(_ directory: String, _ name: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(name).path
    }

    /// The index's `weight_map`, read from `source`; every shard must be a plain file name in the directory.
    private static func weightMap(_ path: String, _ source: any ByteSource) throws(ModelLayoutError) -> [String: String] {
        let json: ModelJSONObject
        do { json = try ModelJSONObject(path: path, open: { _ throws(CheckpointError) in source }) } catch {
            if case let .invalidConfig(p, reason) = error { throw .invalidIndex(path: p, reason: reason) }
            throw error
        }
        guard case .object(let pairs)? = json["weight_map"] else {
            throw .invalidIndex(path: path, reason: "no 'weight_map' object (found keys: \(json.keys.joined(separator: ", ")))")
        }
        var map: [String: String] = [:]
        for (tensor, value) in pairs {
            guard case .string(let file) = value else {
                throw .invalidIndex(path: path, reason: "weight_map entry '\(tensor)' is \(value.kind), not a file name")
            }
            guard !file.isEmpty, !file.contains("/"), !file.contains("\\"), file != ".", file != ".." else {
                throw .invalidIndex(path: path, reason: "weight_map entry '\(tensor)' names '\(file)', not a file in the directory")
            }
            guard map[tensor] == nil else { throw .invalidIndex(path: path, reason: "tensor '\(tensor)' appears twice in weight_map") }
            map[tensor] = file
        }
        return map
    }

    /// True when the directory holds `tensor`.
    func contains(_ tensor: String) -> Bool { shardOf[tensor] != nil }

    /// The shard holding `tensor`, opened, with its path.
    func shard(of tensor: String) throws(ModelLayoutError) -> (file: SafeTensorsFile, path: String) {
        guard let name = shardOf[tensor] else { throw .missingTensor(name: tensor, layer: -1, found: []) }
        lock.lock()
        defer { lock.unlock() }
        if let file = opened[name] { return (file, file.source.name) }
        let path = ModelTensorDirectory.path(directory, name)
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(source: open(path)) } catch { throw .shard(path: path, error) }
        opened[name] = file
        return (file, path)
    }

    /// The validated header entry of `tensor`.
    func info(_ tensor: String) throws(ModelLayoutError) -> TensorInfo {
        let (file, _) = try shard(of: tensor)
        guard file.contains(tensor) else { throw .indexMismatch(tensor: tensor, shard: shardOf[tensor] ?? "?") }
        do { return try file.info(tensor) } catch { throw .indexMismatch(tensor: tensor, shard: shardOf[tensor] ?? "?") }
    }

    /// The values of `tensor` (or of its flat `elements`) as `Float`, reading only those bytes.
    func floats(_ tensor: String, elements: Range<Int>? = nil) throws(ModelLayoutError) -> [Float] {
        let (file, path) = try shard(of: tensor)
        do { return try file.floats(tensor, elements: elements) } catch { throw .shard(path: path, error) }
    }

    /// The bytes of `tensor`'s flat `elements` (U8 tensors: MXFP4 blocks and scales).
    func bytes(_ tensor: String, elements: Range<Int>) throws(ModelLayoutError) -> [UInt8] {
        let (file, path) = try shard(of: tensor)
        do { return try file.rawBytes(tensor, elements: elements) } catch { throw .shard(path: path, error) }
    }

    /// The values of `tensor` (or of its flat `elements`) as `Double`, reading only those bytes.
    func doubles(_ tensor: String, elements: Range<Int>? = nil) throws(ModelLayoutError) -> [Double] {
        let (file, path) = try shard(of: tensor)
        do { return try file.doubles(tensor, elements: elements) } catch { throw .shard(path: path, error) }
    }
}
