import Checkpoint
import Foundation

/// The ranges read from each file of a model, through one ``CountingSource`` per file.
public final class ReadLog: @unchecked Sendable {
    public init() {}
    private let lock = NSLock()
    private var sources: [String: [CountingSource]] = [:]

    /// The ranges read from the file whose name ends with `suffix`.
    public func reads(_ suffix: String) -> [Range<Int>] {
        lock.lock()
        defer { lock.unlock() }
        return sources.filter { $0.key.hasSuffix(suffix) }.flatMap { $0.value.flatMap(\.reads) }
    }

    /// An opener whose sources log here.
    public var opener: ByteSourceOpener {
        { path throws(CheckpointError) in
            let source = CountingSource(try FileByteSource(path: path))
            self.lock.lock()
            self.sources[path, default: []].append(source)
            self.lock.unlock()
            return source
        }
    }
}
